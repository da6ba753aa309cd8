/**
 * The report's store-fault rows (`--only faults-store`): what the real CLI does when the local store's disk is full
 * or read-only, or the store file is gone, empty or cut short after it had data. Every such command must end with
 * exit 2 and words that name the folder or file, and never hang, answer 0 over lost data, look like a failed
 * device (1) or a bug (70). The disk rows use a small tmpfs (main/testing/small-disk.ts) and need root; where
 * mounting is refused they are listed as skipped, with the reason.
 */
import { execFile } from 'node:child_process';
import { existsSync, statSync, truncateSync, unlinkSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT } from '../../main/testing/cli';
import { sampleRunRecord } from '../../main/testing/run-records';
import { spawnSimulator } from '../../main/testing/sim-process';
import { mountSmallDisk, type SmallDisk } from '../../main/testing/small-disk';
import { runFieldlineTimed, type TimedRun } from '../../main/testing/timed-cli';
import { openStore } from '../../main/store/store';
import type { ReliabilityProbe, ReliabilitySection } from './section';

const PROFILE = join(REPO_ROOT, 'resources/profiles/gateway-eu.yaml');
const PASSPHRASE = 'reliability-store-faults';
const FREE_KB = 150;
/** The promise for a full disk: exit 2 within 5 s. */
const FULL_DISK_LIMIT_MS = 5000;
const KILL_AFTER_MS = 30_000;

interface Expectation {
  exit: number;
  /** The error code the JSON error line must carry (exit 2 rows). */
  code?: string;
  /** Text the error message must contain (the folder or file it names). */
  names?: string;
  withinMs?: number;
}

const seconds = (ms: number | undefined): string => (ms === undefined ? '—' : (ms / 1000).toFixed(2));

function errorOf(run: TimedRun): { code?: string; message?: string } {
  const line = run.stdout.split('\n').find((l) => l.startsWith('{"error":'));
  if (!line) return {};
  try {
    return (JSON.parse(line) as { error: { code?: string; message?: string } }).error;
  } catch {
    return {};
  }
}

/** One report row, and whether it breaks the promise. */
function row(fault: string, args: string[], run: TimedRun, want: Expectation): { cells: string[]; failed: boolean } {
  const error = errorOf(run);
  const problems: string[] = [];
  if (run.hung) problems.push(`hung (killed after ${KILL_AFTER_MS / 1000} s)`);
  else if (run.code !== want.exit) problems.push(`exit ${run.code}, expected ${want.exit}`);
  if (want.code && error.code !== want.code) problems.push(`code ${error.code ?? 'none'}, expected ${want.code}`);
  if (want.names && !(error.message ?? '').includes(want.names)) problems.push(`message does not name ${want.names}`);
  if (want.withinMs !== undefined && run.ms >= want.withinMs) problems.push(`took ≥ ${want.withinMs / 1000} s`);
  const command = `fieldline ${args.map((a) => (a.includes('/') ? a.replace(/.*\//, '…/') : a)).join(' ')}`;
  const message = error.code ? `${error.code}: ${error.message ?? ''}` : run.stdout.trim().split('\n').at(-1)?.slice(0, 160) ?? '';
  return {
    cells: [
      fault,
      command,
      run.hung ? 'killed' : String(run.code),
      seconds(run.ms),
      seconds(run.afterErrorMs),
      message,
      problems.length ? `**FAIL** ${problems.join('; ')}` : 'ok',
    ],
    failed: problems.length > 0,
  };
}

async function diskRows(disk: SmallDisk, log: (line: string) => void): Promise<Array<{ cells: string[]; failed: boolean }>> {
  const rows: Array<{ cells: string[]; failed: boolean }> = [];
  const dataDir = join(disk.dir, 'data');
  await mkdir(dataDir, { mode: 0o700 });
  const env = { FIELDLINE_DATA_DIR: dataDir, FIELDLINE_CA_PASSPHRASE: PASSPHRASE };
  const fieldline = (args: string[]): Promise<TimedRun> => runFieldlineTimed(args, env, KILL_AFTER_MS);
  const sim = await spawnSimulator({ count: 1, baud: 0, extra: ['--delay', 'reboot=100'] });
  try {
    await fieldline(['ca', 'init', '--json']);
    await fieldline(['runs', 'list', '--json']);
    const provision = ['provision', '--port', sim.gateways[0]!.port, '--profile', PROFILE, '--json'];

    await disk.fillTo(FREE_KB);
    log(`full disk: ${disk.freeKb()} KB free`);
    const full = await fieldline(provision);
    const promise = { exit: 2, code: 'STORE_DISK_FULL', names: dataDir, withinMs: FULL_DISK_LIMIT_MS };
    rows.push(row(`full disk (${FREE_KB} KB free) during provision`, provision, full, promise));
    const listed = await fieldline(['runs', 'list', '--json']);
    rows.push(row('full disk: reading the store', ['runs', 'list', '--json'], listed, { exit: 0 }));

    await disk.unfill();
    const again = await fieldline(provision);
    const repaired = JSON.parse((await fieldline(['runs', 'list', '--json'])).stdout || '[]') as Array<{ outcome: string }>;
    const next = row('space freed: the next provision', provision, again, { exit: 0 });
    if (repaired.some((r) => r.outcome === 'running')) {
      next.failed = true;
      next.cells[6] = '**FAIL** a run is still recorded as running';
    } else {
      next.cells[5] = `runs: ${repaired.map((r) => r.outcome).join(', ')}`;
    }
    rows.push(next);

    await promisify(execFile)('mount', ['-o', 'remount,ro', disk.dir]);
    try {
      rows.push(row('read-only data directory', provision, await fieldline(provision), { exit: 2, names: dataDir }));
    } finally {
      await promisify(execFile)('mount', ['-o', 'remount,rw', disk.dir]);
    }
  } finally {
    await sim.stop();
  }
  return rows;
}

/** The lost-store rows: a store with data, then its file emptied, deleted or cut in half. */
async function lostStoreRows(): Promise<Array<{ cells: string[]; failed: boolean }>> {
  const rows: Array<{ cells: string[]; failed: boolean }> = [];
  const cases: Array<{ fault: string; damage: (file: string) => void; code: string }> = [
    { fault: '0-byte store that had data', damage: (f) => truncateSync(f, 0), code: 'STORE_MISSING' },
    { fault: 'deleted store (marker beside it)', damage: (f) => unlinkSync(f), code: 'STORE_MISSING' },
    { fault: 'truncated store (half its size)', damage: (f) => truncateSync(f, Math.floor(statSync(f).size / 2)), code: 'STORE_CORRUPT' },
  ];
  for (const c of cases) {
    const dataDir = await mkdtemp(join(tmpdir(), 'fieldline-reliability-store-'));
    try {
      const store = openStore(dataDir);
      store.saveRun(sampleRunRecord(), [{ actor: 'station:reliability', action: 'run.start', subject: 'GW-00A1' }]);
      store.close();
      const file = join(dataDir, 'fieldline.db');
      c.damage(file);
      const args = ['audit', 'verify', '--json'];
      const run = await runFieldlineTimed(args, { FIELDLINE_DATA_DIR: dataDir }, KILL_AFTER_MS);
      const result = row(c.fault, args, run, { exit: 2, code: c.code, names: file });
      // Refusing must not have put a new, empty store in the lost one's place.
      if (c.code === 'STORE_MISSING' && existsSync(file) && statSync(file).size > 0) {
        result.failed = true;
        result.cells[6] = '**FAIL** a new store was created in place of the lost one';
      }
      rows.push(result);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  }
  return rows;
}

export const storeFaultsProbe: ReliabilityProbe = {
  name: 'faults-store',
  async run({ log }): Promise<ReliabilitySection> {
    const rows: Array<{ cells: string[]; failed: boolean }> = [];
    // What every row's time includes before the command does anything: starting Node and loading the CLI.
    const start = await runFieldlineTimed(['--version'], {}, KILL_AFTER_MS);
    const baseline = ['none (baseline: CLI start-up)', 'fieldline --version', String(start.code), seconds(start.ms), '—', start.stdout.trim()];
    baseline.push('baseline');
    rows.push({ cells: baseline, failed: false });
    const disk = await mountSmallDisk(4096);
    if (typeof disk === 'string') {
      for (const fault of [`full disk (${FREE_KB} KB free) during provision`, 'read-only data directory']) {
        rows.push({ cells: [fault, 'fieldline provision', '—', '—', '—', `skipped: ${disk}`, 'skipped'], failed: false });
      }
    } else {
      try {
        rows.push(...(await diskRows(disk, log)));
      } finally {
        await disk.unmount();
      }
    }
    rows.push(...(await lostStoreRows()));
    const load = loadavg()[0] ?? 0;
    return {
      title: 'Store faults',
      summary:
        'The real CLI against a virtual gateway, with the data directory on a 4 MiB tmpfs: filled to ' +
        `${FREE_KB} KB free during \`provision\`, then freed, then remounted read-only; and a store that held a run ` +
        'and an audit entry, then emptied to 0 bytes, deleted (its `fieldline.db.marker` left beside it) or cut to ' +
        'half its size, checked with `audit verify`. "after error" is the time from the JSON error line to exit ' +
        '(the CLI forces an exit 2 s after a failed command ends). A row fails when the command hangs, exits 0, 1 ' +
        'or 70 where 2 is due, does not name the folder or file, or (full disk) takes 5 s or more. Times include the ' +
        `CLI's start-up (first row); the machine's load average was ${load.toFixed(1)} when the section ended.`,
      columns: ['fault', 'command', 'exit', 'time to exit (s)', 'after error (s)', 'message', 'verdict'],
      rows: rows.map((r) => r.cells),
      failures: rows.filter((r) => r.failed).length,
    };
  },
};
