/**
 * Benchmark: the factory station's scaling. N virtual gateways (1, 8, 32, 64; --quick: 1, 8, 16) are provisioned
 * with resources/profiles/gateway-eu.yaml AT ONCE — every run started in the same tick, each on its own session
 * and port — and the batch's wall time is compared with one gateway's. The gateways run in a separate process
 * (`fieldline sim`, spawned through main/testing/sim-process.ts) at 115200 baud, so process.cpuUsage() of this
 * process is the provisioning host's CPU alone: the pipelines, SMP framing, CSR signing, the store.
 *
 * Device-side delays (what a real nRF52840-class gateway spends, not the host):
 *   keyGeneration 800 ms   — a P-256 key pair in software on a Cortex-M4 at 64 MHz takes roughly 0.5–1 s;
 *   flashWritePerKiB 2 ms  — internal NOR flash writes ~40 µs per 32-bit word ≈ 10 ms/KiB worst case, but
 *                            LittleFS writes are small and buffered; 2 ms/KiB is a typical effective figure;
 *   erase 200 ms           — a few 4 KiB pages erased at ~85 ms each (only the first upload chunk pays it);
 *   reboot 1000 ms         — MCUboot's validation plus Zephyr's boot to the shell/SMP transport.
 * They make one run last a few seconds of mostly waiting, which is what lets N runs overlap on one host.
 *
 * The store: one SQLite store for the station, as the real station has (WAL, synchronous = FULL). Its calls are
 * synchronous (better-sqlite3) and short — a run saves its record at start and end and appends audit rows — so
 * runs never hold it across an await and cannot serialize each other beyond those fsyncs; the fsyncs are counted
 * in the wall and CPU figures, as they would be on the line. Each N gets its own store file (same CA), so a
 * gateway serial seen at an earlier N is not refused as already provisioned.
 *
 * A warm-up run of one gateway precedes the table (module loading and JIT would otherwise be billed to N = 1);
 * its figures are printed too.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { initCa, openStationCa } from '../main/pki/station-ca';
import { loadProfile, type LoadedProfile } from '../main/profiles/load';
import type { RunRecord } from '../main/provisioning/record';
import { runProvisioning } from '../main/provisioning/runner';
import { openStore } from '../main/store/store';
import { spawnSimulator } from '../main/testing/sim-process';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const PROFILE = join(ROOT, 'resources/profiles/gateway-eu.yaml');
const BAUD = 115200;
export const DELAYS = { keyGeneration: 800, flashWritePerKiB: 2, erase: 200, reboot: 1000 } as const;
const TARGET_RATIO = 1.3;
const TARGET_CPU_MS = 50;
const RSS_SAMPLE_MS = 100;

export interface ScaleRow {
  n: number;
  wallSeconds: number;
  /** wall(N) ÷ wall(1); 1 for N = 1. */
  ratio: number;
  hostCpuMsPerGateway: number;
  /** CPU of the simulator's node process (not socat) per gateway, for context; null where /proc is absent. */
  simCpuMsPerGateway: number | null;
  peakRssMiB: number;
  passed: number;
  failures: string[];
}

/** utime + stime of a process in ms, from /proc (Linux); null elsewhere. */
function processCpuMs(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // After "pid (comm) ", field 3 (state) is index 0: utime is field 14 → index 11, stime 15 → index 12.
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return null;
  }
}

function failureOf(r: RunRecord): string {
  const step = r.steps.find((s) => s.outcome === 'failed');
  const err = step?.error ?? r.error;
  return `${r.device.serial || r.device.port}: ${r.outcome}${step ? ` at ${step.name}` : ''}${err ? ` (${err.code}: ${err.message.slice(0, 160)})` : ''}`;
}

interface Station {
  dataDir: string;
  signer: Awaited<ReturnType<typeof openStationCa>>;
  profile: LoadedProfile;
}

async function runBatch(station: Station, n: number, label: string): Promise<Omit<ScaleRow, 'ratio'>> {
  const sim = await spawnSimulator({
    count: n,
    baud: BAUD,
    timeoutMs: 60_000,
    extra: Object.entries(DELAYS).flatMap(([name, ms]) => ['--delay', `${name}=${ms}`]),
  });
  const store = openStore(join(station.dataDir, `runs-${label}.db`));
  try {
    let peakRss = process.memoryUsage().rss;
    const sampler = setInterval(() => {
      peakRss = Math.max(peakRss, process.memoryUsage().rss);
    }, RSS_SAMPLE_MS);
    const simCpu0 = processCpuMs(sim.child.pid);
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    let records: RunRecord[];
    try {
      records = await Promise.all(
        sim.gateways.map((g) =>
          runProvisioning({
            port: g.port,
            profile: station.profile,
            signer: station.signer,
            store,
            station: { name: 'bench-scale' },
            variables: { site: 'BEN-1' },
          }),
        ),
      );
    } finally {
      clearInterval(sampler);
    }
    const wallSeconds = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    const simCpu1 = processCpuMs(sim.child.pid);
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
    const failed = records.filter((r) => r.outcome !== 'passed');
    return {
      n,
      wallSeconds,
      hostCpuMsPerGateway: (cpu.user + cpu.system) / 1000 / n,
      simCpuMsPerGateway: simCpu0 === null || simCpu1 === null ? null : (simCpu1 - simCpu0) / n,
      peakRssMiB: peakRss / 1024 / 1024,
      passed: records.length - failed.length,
      failures: failed.map(failureOf),
    };
  } finally {
    store.close();
    await sim.stop();
  }
}

export async function runScaleBench(counts: readonly number[], onRow: (row: ScaleRow, warmUp: boolean) => void): Promise<ScaleRow[]> {
  const work = await mkdtemp(join(tmpdir(), 'fieldline-bench-scale-'));
  try {
    const dataDir = join(work, 'data');
    const passphrase = randomBytes(24).toString('base64');
    await initCa(dataDir, { passphrase, organization: 'Fieldline scale bench' });
    const station: Station = { dataDir, signer: await openStationCa(dataDir, passphrase), profile: await loadProfile(PROFILE) };

    const warm = await runBatch(station, 1, 'warm-up');
    onRow({ ...warm, ratio: 1 }, true);

    const rows: ScaleRow[] = [];
    let wallOne: number | undefined;
    for (const n of counts) {
      const row = await runBatch(station, n, `n${n}`);
      wallOne ??= row.wallSeconds;
      const full = { ...row, ratio: row.wallSeconds / wallOne };
      rows.push(full);
      onRow(full, false);
    }
    return rows;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** The `scale` entry of `npm run bench`; true when both targets are met at the largest N. */
export async function scaleEntry({ quick, json }: { quick: boolean; json: boolean }): Promise<boolean> {
  const counts = quick ? [1, 8, 16] : [1, 8, 32, 64];
  if (!json) {
    process.stdout.write(
      `\nStation scaling: N virtual gateways provisioned at once with gateway-eu.yaml, ${BAUD} baud, simulator in its own process\n` +
        `device delays: ${Object.entries(DELAYS).map(([k, v]) => `${k} ${v} ms`).join(', ')}; one SQLite store\n` +
        `     N    wall    ÷ wall(1)   host CPU/gw   sim CPU/gw   peak RSS   passed\n`,
    );
  }
  const fmt = (r: ScaleRow, warmUp: boolean): string =>
    `${(warmUp ? 'warm 1' : String(r.n)).padStart(6)}  ${r.wallSeconds.toFixed(2).padStart(6)} s  ${r.ratio.toFixed(3).padStart(8)}×  ` +
    `${r.hostCpuMsPerGateway.toFixed(1).padStart(8)} ms  ${(r.simCpuMsPerGateway === null ? '—' : r.simCpuMsPerGateway.toFixed(1)).padStart(8)} ms` +
    `  ${r.peakRssMiB.toFixed(0).padStart(5)} MiB   ${r.passed}/${r.n}` +
    (r.failures.length ? `\n          failed: ${r.failures.slice(0, 5).join('\n                  ')}${r.failures.length > 5 ? `\n                  … and ${r.failures.length - 5} more` : ''}` : '');
  const rows = await runScaleBench(counts, (r, warmUp) => {
    process.stdout.write((json ? JSON.stringify({ bench: 'scale', warmUp, ...r }) : fmt(r, warmUp)) + '\n');
  });
  const largest = rows[rows.length - 1]!;
  const allPassed = rows.every((r) => r.passed === r.n);
  const ratioMet = largest.ratio <= TARGET_RATIO;
  const worstCpu = Math.max(...rows.map((r) => r.hostCpuMsPerGateway));
  const cpuMet = worstCpu <= TARGET_CPU_MS;
  const pass = ratioMet && cpuMet && allPassed;
  if (json) {
    process.stdout.write(JSON.stringify({ bench: 'scale-target', pass, n: largest.n, ratio: largest.ratio, worstCpuMsPerGateway: worstCpu, allPassed }) + '\n');
  } else {
    process.stdout.write(
      [
        `target: wall(${largest.n}) ÷ wall(1) = ${largest.ratio.toFixed(3)} (goal ≤ ${TARGET_RATIO}) — ${ratioMet ? 'met' : 'NOT met'}`,
        `target: host CPU per gateway ≤ ${TARGET_CPU_MS} ms at every N: ${rows.map((r) => `N=${r.n} ${r.hostCpuMsPerGateway.toFixed(1)} ms ${r.hostCpuMsPerGateway <= TARGET_CPU_MS ? 'met' : 'NOT met'}`).join(', ')} — ${cpuMet ? 'met' : 'NOT met'}`,
        `every run passed: ${allPassed ? 'yes' : 'NO'}`,
        ...(quick ? [`(--quick: largest N is ${largest.n}, not 64; the 64-gateway target is not measured)`] : []),
      ].join('\n') + '\n',
    );
  }
  return pass;
}
