/**
 * A fleet against the registry, for `npm run bench -- --only fleet` and the registry kill test: N station
 * processes (fleet-station.ts), each with a store of queued run records, drain at once into one registry database
 * served by one or more `fieldline registry serve` processes, the stations split between them. Optionally one
 * registry process is killed with SIGKILL once a share of all records was acknowledged; its stations then move on
 * to a surviving one. Afterwards the registry's database is counted (distinct ids = sent, every one present) and
 * every record the stations' stores say was delivered is looked up in it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import Database from 'better-sqlite3';
import pg from 'pg';
import { openRegistryRepository } from '../../registry/server';
import { issueToken } from '../../registry/tokens';
import { percentile } from '../station/kpi';
import { storeFilePath } from '../store/file';
import { REPO_ROOT } from './cli';
import { fleetRecordId } from './fleet-records';
import type { DrainReport } from './fleet-station';
import { serveRegistryProcess, type RegistryProcess } from './registry-process';

const STATION_SCRIPT = join(REPO_ROOT, 'main/testing/fleet-station.ts');

interface StationChild {
  child: ChildProcess;
  /** Sends a command; resolves with its answer line (event lines go to onEvent). */
  command(cmd: object): Promise<Record<string, unknown>>;
  onEvent?: (event: { event: string; records: number }) => void;
}

function startStationChild(): StationChild {
  const child = spawn(process.execPath, ['--import', 'tsx', STATION_SCRIPT], { cwd: REPO_ROOT, stdio: ['pipe', 'pipe', 'inherit'] });
  const waiting: Array<{ resolve: (line: Record<string, unknown>) => void; reject: (err: Error) => void }> = [];
  const station: StationChild = {
    child,
    command(cmd) {
      return new Promise((resolve, reject) => {
        waiting.push({ resolve, reject });
        child.stdin?.write(JSON.stringify(cmd) + '\n');
      });
    },
  };
  createInterface({ input: child.stdout! }).on('line', (text) => {
    const line = JSON.parse(text) as Record<string, unknown>;
    if (typeof line.event === 'string') station.onEvent?.(line as { event: string; records: number });
    else if (typeof line.error === 'string') waiting.shift()?.reject(new Error(`fleet station: ${line.error}`));
    else waiting.shift()?.resolve(line);
  });
  child.once('exit', (code) => {
    for (const w of waiting.splice(0)) w.reject(new Error(`fleet station exited with ${code}`));
  });
  return station;
}

/** The station processes and their seeded stores, reused by every run (each run drains a copy of the stores). */
export interface Fleet {
  stations: number;
  recordsPerStation: number;
  /** Milliseconds the seeding took, all stations at once. */
  seedMs: number;
  run(options: FleetRunOptions): Promise<FleetResult>;
  close(): Promise<void>;
}

export interface FleetRunOptions {
  /** A SQLite file, or a postgres:// URL of an empty database. */
  database: string;
  /** Registry processes serving it; station i starts with process i mod n. */
  registries: number;
  /** SIGKILL registry process 0 once this share (0..1) of all records was acknowledged. */
  killAt?: number;
  /** Records per upload request (default the drainer's, 500). */
  batchRecords?: number;
  /** A label for the run's folder. */
  name: string;
}

export interface FleetResult {
  engine: 'sqlite' | 'postgres';
  registries: number;
  sent: number;
  /** From the first upload request to the last acknowledgement, over all stations. */
  seconds: number;
  recordsPerSecond: number;
  requests: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Rows in the registry's records table, distinct ids, and whether every sent id is among them. */
  stored: number;
  distinct: number;
  allPresent: boolean;
  /** Records the stations' stores say were delivered, and how many of those the registry holds. */
  acknowledged: number;
  acknowledgedPresent: number;
  /** With killAt: delivered when the registry process was killed, and how many of those the registry holds. */
  atKill?: { acknowledged: number; present: number };
  /** CPU seconds spent during the drain: all station processes, all registry processes, the PostgreSQL server. */
  cpu: { stations: number; registries: number; postgres: number };
  failovers: number;
  remaining: number;
}

/** The run ids a station's store says the registry acknowledged. */
function deliveredIds(dataDir: string): string[] {
  const db = new Database(storeFilePath(dataDir), { readonly: true, fileMustExist: true });
  try {
    return db.prepare(`SELECT run_id FROM outbox WHERE state = 'sent'`).pluck().all() as string[];
  } finally {
    db.close();
  }
}

/** CPU seconds (user + system) a process has used, from /proc; 0 once it is gone or where there is no /proc. */
function cpuSeconds(pid: number | undefined): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime and stime are fields 14 and 15 of stat, the 12th and 13th after the command name; in USER_HZ (100/s).
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}

/** CPU seconds of every PostgreSQL server process on the machine, by pid. */
function postgresCpu(): Map<number, number> {
  const cpu = new Map<number, number>();
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return cpu;
  }
  for (const pid of pids) {
    try {
      if (readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'postgres') cpu.set(Number(pid), cpuSeconds(Number(pid)));
    } catch {
      // gone meanwhile
    }
  }
  return cpu;
}

const isPostgres = (database: string): boolean => /^postgres(?:ql)?:\/\//i.test(database);

/** Every record id the registry's database holds, and its row count. */
async function registryIds(database: string): Promise<{ rows: number; ids: Set<string> }> {
  if (isPostgres(database)) {
    const client = new pg.Client({ connectionString: database });
    await client.connect();
    try {
      const { rows } = await client.query<{ id: string }>('SELECT id FROM records');
      return { rows: rows.length, ids: new Set(rows.map((r) => r.id)) };
    } finally {
      await client.end();
    }
  }
  const db = new Database(database, { readonly: true, fileMustExist: true });
  try {
    const ids = db.prepare('SELECT id FROM records').pluck().all() as string[];
    return { rows: ids.length, ids: new Set(ids) };
  } finally {
    db.close();
  }
}

/** Starts `stations` station processes and seeds each store with `recordsPerStation` queued runs. */
export async function startFleet(work: string, stations: number, recordsPerStation: number): Promise<Fleet> {
  const children = Array.from({ length: stations }, () => startStationChild());
  const seedDir = (i: number): string => join(work, 'seed', `station-${i}`);
  const closeAll = async (): Promise<void> => {
    await Promise.all(
      children.map(async ({ child }) => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        const exited = new Promise((r) => child.once('exit', r));
        child.stdin?.end();
        await exited;
      }),
    );
  };
  const t0 = performance.now();
  try {
    await Promise.all(
      children.map((c, i) => {
        mkdirSync(seedDir(i), { recursive: true });
        return c.command({ cmd: 'seed', dir: seedDir(i), station: i, count: recordsPerStation });
      }),
    );
  } catch (err) {
    for (const { child } of children) child.kill('SIGKILL');
    throw err;
  }
  const seedMs = performance.now() - t0;

  async function run(options: FleetRunOptions): Promise<FleetResult> {
    const dirs = children.map((_, i) => join(work, options.name, `station-${i}`));
    dirs.forEach((dir, i) => cpSync(seedDir(i), dir, { recursive: true }));
    const repository = await openRegistryRepository(isPostgres(options.database) ? { database: options.database } : { dbFile: options.database });
    let tokens: string[];
    try {
      tokens = await Promise.all(children.map((_, i) => issueToken(repository, `fleet-${i}`)));
    } finally {
      await repository.close();
    }
    const registries: RegistryProcess[] = [];
    try {
      for (let r = 0; r < options.registries; r++) registries.push(await serveRegistryProcess(options.database));
      const sent = children.length * recordsPerStation;
      let acked = 0;
      let atKill: string[] | undefined;
      const registryCpu = new Map<number, number>();
      const sampleRegistryCpu = (): void => {
        for (const r of registries) if (r.child.exitCode === null && r.child.signalCode === null) registryCpu.set(r.child.pid as number, cpuSeconds(r.child.pid));
      };
      sampleRegistryCpu();
      const registryCpuBefore = new Map(registryCpu);
      const stationCpuBefore = children.map((c) => cpuSeconds(c.child.pid));
      const postgresBefore = postgresCpu();
      let killing: Promise<void> | undefined;
      const kill = async (): Promise<void> => {
        const victim = registries[0] as RegistryProcess;
        sampleRegistryCpu();
        const exited = new Promise((r) => victim.child.once('exit', r));
        victim.child.kill('SIGKILL');
        await exited;
        // What the stations had been told was stored, the moment the process died.
        atKill = dirs.flatMap(deliveredIds);
      };
      for (const c of children) {
        c.onEvent = (event) => {
          acked += event.records;
          if (options.killAt !== undefined && killing === undefined && acked >= options.killAt * sent) killing = kill();
        };
      }
      const answers = await Promise.all(
        children.map((c, i) => {
          const urls = registries.map((_, k) => (registries[(i + k) % registries.length] as RegistryProcess).url);
          return c.command({ cmd: 'drain', dir: dirs[i], urls, token: tokens[i], batchRecords: options.batchRecords });
        }),
      );
      await killing;
      sampleRegistryCpu();
      const stationCpu = children.reduce((sum, c, i) => sum + cpuSeconds(c.child.pid) - (stationCpuBefore[i] ?? 0), 0);
      const postgresAfter = postgresCpu();
      const serverCpu = [...postgresAfter].reduce((sum, [pid, after]) => sum + after - (postgresBefore.get(pid) ?? 0), 0);
      const cpu = {
        stations: stationCpu,
        registries: [...registryCpu].reduce((sum, [pid, after]) => sum + after - (registryCpuBefore.get(pid) ?? 0), 0),
        postgres: isPostgres(options.database) ? serverCpu : 0,
      };
      const reports = answers.map((a) => a.report as DrainReport);
      const latencies = reports.flatMap((r) => r.latenciesMs).sort((a, b) => a - b);
      const seconds = (Math.max(...reports.map((r) => r.lastAckAt)) - Math.min(...reports.map((r) => r.firstRequestAt))) / 1000;
      const { rows, ids } = await registryIds(options.database);
      const expected = children.flatMap((_, s) => Array.from({ length: recordsPerStation }, (__, i) => fleetRecordId(s, i)));
      const delivered = dirs.flatMap(deliveredIds);
      return {
        engine: isPostgres(options.database) ? 'postgres' : 'sqlite',
        registries: options.registries,
        sent,
        seconds,
        recordsPerSecond: sent / seconds,
        requests: latencies.length,
        p50Ms: percentile(latencies, 50) ?? NaN,
        p99Ms: percentile(latencies, 99) ?? NaN,
        maxMs: latencies.at(-1) ?? NaN,
        stored: rows,
        distinct: ids.size,
        allPresent: expected.every((id) => ids.has(id)),
        acknowledged: delivered.length,
        acknowledgedPresent: delivered.filter((id) => ids.has(id)).length,
        ...(atKill ? { atKill: { acknowledged: atKill.length, present: atKill.filter((id) => ids.has(id)).length } } : {}),
        cpu,
        failovers: reports.reduce((n, r) => n + r.failovers, 0),
        remaining: reports.reduce((n, r) => n + r.remaining, 0),
      };
    } finally {
      await Promise.all(registries.map((r) => r.stop()));
      for (const c of children) delete c.onEvent;
      for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
    }
  }

  return { stations, recordsPerStation, seedMs, run, close: closeAll };
}
