/**
 * Done-when of issue #6 (items 1 and 4): `fieldline batch --ports auto --count 8` started before the simulator
 * provisions every gateway as it appears, each exactly once; one set to fail a diagnostic → 7 passed, 1 failed.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSimulator, type SpawnedSimulator } from '../testing/sim-process';
import { REPO_ROOT, runFieldline } from '../testing/cli';

const PROFILE = join(REPO_ROOT, 'resources/profiles/gateway-eu.yaml');
let dataDir: string;
let portsDir: string;
let sim: SpawnedSimulator | undefined;
const env = (): Record<string, string> => ({ FIELDLINE_DATA_DIR: dataDir, FIELDLINE_CA_PASSPHRASE: 'correct-horse-battery', FIELDLINE_PORTS_DIR: portsDir });

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'fieldline-batch-'));
  portsDir = await mkdtemp(join(tmpdir(), 'fieldline-batch-ports-'));
  const init = await runFieldline(['ca', 'init', '--json'], env());
  expect(init.code, init.stderr).toBe(0);
});

afterAll(async () => {
  await sim?.stop();
  await rm(dataDir, { recursive: true, force: true });
  await rm(portsDir, { recursive: true, force: true });
});

describe('fieldline batch', { timeout: 240_000 }, () => {
  it('provisions eight gateways that appear after it started, each once: 7 passed, 1 failed at diagnostics', async () => {
    const child = spawn(process.execPath, ['bin/fieldline.js', 'batch', '--profile', PROFILE, '--ports', 'auto', '--count', '8', '--json'], {
      cwd: REPO_ROOT,
      env: { ...process.env, ...env() },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (t: string) => (stdout += t));
    child.stderr.setEncoding('utf8').on('data', (t: string) => (stderr += t));
    const exited = new Promise<number | null>((r) => child.once('close', (code) => r(code)));
    // Started (watching) before any gateway exists.
    const deadline = Date.now() + 30_000;
    while (!stdout.includes('"event":"watching"')) {
      if (Date.now() > deadline || child.exitCode !== null) throw new Error(`batch did not start\n${stdout}\n${stderr}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    sim = await spawnSimulator({ count: 8, baud: 0, faults: ['fail-diag:name=selftest,gw=3'], env: { FIELDLINE_PORTS_DIR: portsDir } });
    const code = await exited;
    const lines = stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    const ends = lines.filter((l) => l.event === 'run-end');
    expect(ends, stderr).toHaveLength(8);
    const serials = ends.map((e) => e.serial as string);
    expect(new Set(serials)).toEqual(new Set(sim.gateways.map((g) => g.serial)));
    const summary = lines.at(-1)!;
    expect(summary).toMatchObject({ event: 'summary', runs: 8, passed: 7, failed: 1, failuresByStep: [{ step: 'diagnostics', count: 1 }] });
    expect(summary.unitsPerHour).toBeGreaterThan(0);
    expect(summary.firstPassYield).toBeCloseTo(7 / 8);
    expect(summary.failedRuns).toEqual([expect.objectContaining({ serial: sim.gateways[3]!.serial, step: 'diagnostics' })]);
    expect(code).toBe(1);

    // A new batch with the eight still plugged in: the seven that passed are left alone ("passed earlier", no run),
    // the one that failed is provisioned again — it is the one run of this batch.
    const again = await runFieldline(['batch', '--profile', PROFILE, '--ports', 'auto', '--count', '1', '--json'], env());
    const againLines = again.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    const starts = againLines.filter((l) => l.event === 'run-start');
    expect(starts.map((l) => l.port), again.stderr).toEqual([ends.find((e) => e.serial === sim!.gateways[3]!.serial)!.port]);
    const earlier = againLines.filter((l) => l.event === 'slot' && l.previous === true);
    expect(new Set(earlier.map((l) => l.serial))).toEqual(new Set(sim.gateways.filter((_, i) => i !== 3).map((g) => g.serial)));
    const firstRunOf = new Map(ends.map((e) => [e.serial as string, e.runId as string]));
    for (const slot of earlier) expect(slot).toMatchObject({ state: 'passed', outcome: 'passed', runId: firstRunOf.get(slot.serial as string) });
    expect(againLines.at(-1)).toMatchObject({ event: 'summary', runs: 1, passed: 0, failed: 1, failedRuns: [expect.objectContaining({ serial: sim.gateways[3]!.serial, step: 'diagnostics' })] });
    expect(again.code).toBe(1);
  });

  it('is a usage error (2) without a profile that loads', async () => {
    const run = await runFieldline(['batch', '--profile', join(dataDir, 'missing.yaml'), '--count', '1', '--json'], env());
    expect(run.code).toBe(2);
  });
});
