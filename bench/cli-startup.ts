/**
 * Benchmark: how fast the `fieldline` command starts. Wall time from spawn to exit of `node -e 0` (the floor: Node
 * itself), `fieldline --version`, `fieldline --help` (every command family loaded) and `fieldline smp echo` to a
 * virtual gateway (one real SMP round trip, ~15 ms of it), each through bin/fieldline.js and through
 * `npx fieldline`; and `--version` from the TypeScript sources through tsx (FIELDLINE_FROM_SOURCES=1), the way every
 * call ran before the bundle. Every command is run N times, round-robin, so a busy moment on the machine falls on
 * all of them alike; the figure is the median, with its ratio to `node -e 0` measured in the same run.
 *
 * Targets (issue #13): `fieldline --version` median ≤ 0.3 s and `fieldline smp echo` ≤ 0.5 s through bin.
 */
import { spawn } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { freshBundle, buildCliBundle } from '../scripts/cli-bundle.mjs';
import { REPO_ROOT } from '../main/testing/cli';
import { spawnSimulator } from '../main/testing/sim-process';

export interface StartupRow {
  name: string;
  command: string;
  runs: number;
  medianMs: number;
  minMs: number;
  maxMs: number;
  /** medianMs ÷ the median of `node -e 0` in the same run. */
  ratio: number;
}

interface Case {
  name: string;
  argv: string[];
  env?: Record<string, string>;
}

const TARGETS = { versionMs: 300, echoMs: 500 } as const;

/** Wall time of one run, spawn to exit; a non-zero exit is a broken benchmark, not a slow one. */
function timeOnce(c: Case): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const [file, ...args] = c.argv;
    const child = spawn(file!, args, { cwd: REPO_ROOT, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, ...c.env } });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (t: string) => (stderr += t));
    child.once('error', reject);
    child.once('close', (code) => {
      const ms = performance.now() - started;
      if (code === 0) resolve(ms);
      else reject(new Error(`${c.argv.join(' ')} exited ${code}: ${stderr.trim()}`));
    });
  });
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

export async function runCliStartupBench(runs: number): Promise<{ rows: StartupRow[]; bundle: string; machine: { cores: number; loadAverage: number } }> {
  // The bundle as it would be after `npm ci` (prepare builds it): current for the sources as they are.
  const bundle = freshBundle() ?? (await buildCliBundle());
  if (!bundle) throw new Error('the CLI bundle could not be built (a source changed during the build): run the bench again');
  const sim = await spawnSimulator({ count: 1 });
  try {
    const port = sim.gateways[0]!.port;
    const node = process.execPath;
    const bin = 'bin/fieldline.js';
    const echo = ['smp', 'echo', 'hi', '--port', port];
    const cases: Case[] = [
      { name: 'node -e 0', argv: [node, '-e', '0'] },
      { name: 'fieldline --version', argv: [node, bin, '--version'] },
      { name: 'fieldline --help', argv: [node, bin, '--help'] },
      { name: 'fieldline smp echo', argv: [node, bin, ...echo] },
      { name: 'npx fieldline --version', argv: ['npx', '--no-install', 'fieldline', '--version'] },
      { name: 'npx fieldline smp echo', argv: ['npx', '--no-install', 'fieldline', ...echo] },
      { name: 'sources (tsx) --version', argv: [node, bin, '--version'], env: { FIELDLINE_FROM_SOURCES: '1' } },
    ];
    const times = new Map<string, number[]>(cases.map((c) => [c.name, []]));
    // One untimed round first: the page cache and npx's own look-up warm, as on a machine in use.
    for (const c of cases) await timeOnce(c);
    const loadAverage = loadavg()[0]!;
    for (let i = 0; i < runs; i++) {
      for (const c of cases) times.get(c.name)!.push(await timeOnce(c));
    }
    const floor = median(times.get('node -e 0')!);
    const rows = cases.map((c): StartupRow => {
      const t = times.get(c.name)!;
      const medianMs = median(t);
      return { name: c.name, command: c.argv.slice(c.argv[0] === node ? 1 : 0).join(' '), runs, medianMs, minMs: Math.min(...t), maxMs: Math.max(...t), ratio: medianMs / floor };
    });
    return { rows, bundle, machine: { cores: cpus().length, loadAverage } };
  } finally {
    await sim.stop();
  }
}

export async function cliStartupEntry(options: { quick: boolean; json: boolean }): Promise<boolean> {
  const runs = options.quick ? 5 : 15;
  if (!options.json) process.stdout.write(`\nCLI startup: wall time spawn → exit, median of ${runs} runs each, round-robin; ratio against \`node -e 0\` in the same run\n`);
  const r = await runCliStartupBench(runs);
  const median = (name: string): number => r.rows.find((row) => row.name === name)!.medianMs;
  const versionMet = median('fieldline --version') <= TARGETS.versionMs;
  const echoMet = median('fieldline smp echo') <= TARGETS.echoMs;
  if (options.json) {
    for (const row of r.rows) process.stdout.write(JSON.stringify({ bench: 'cli', ...row }) + '\n');
    process.stdout.write(JSON.stringify({ bench: 'cli-target', pass: versionMet && echoMet, versionMs: median('fieldline --version'), echoMs: median('fieldline smp echo') }) + '\n');
    return versionMet && echoMet;
  }
  const s = (ms: number): string => `${(ms / 1000).toFixed(3)} s`;
  const lines = r.rows.map((row) => `${row.name.padEnd(26)} ${s(row.medianMs)}  ×${row.ratio.toFixed(1).padStart(5)}   (min ${s(row.minMs)}, max ${s(row.maxMs)})`);
  lines.push(
    `bundle    ${r.bundle.slice(REPO_ROOT.length)}; ${r.machine.cores} cores, load average ${r.machine.loadAverage.toFixed(1)} when the runs started`,
    `target: fieldline --version ${s(median('fieldline --version'))} (goal ≤ ${s(TARGETS.versionMs)}) — ${versionMet ? 'met' : 'NOT met'}`,
    `target: fieldline smp echo ${s(median('fieldline smp echo'))} (goal ≤ ${s(TARGETS.echoMs)}) — ${echoMet ? 'met' : 'NOT met'}`,
  );
  process.stdout.write(lines.join('\n') + '\n');
  return versionMet && echoMet;
}
