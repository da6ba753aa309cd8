/**
 * The words `provision` and `drift` print for a technician (issue #12): limits as people write them, a failed
 * selftest shown by the line that failed, a fix line under a failed run, and drift naming --fix. Text mode, real
 * CLI against a virtual gateway process.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSimulator, type SpawnedSimulator } from '../testing/sim-process';
import { REPO_ROOT, runFieldline, type CliRun } from '../testing/cli';

const PROFILE = join(REPO_ROOT, 'resources/profiles/gateway-eu.yaml');
let sim: SpawnedSimulator;
let dataDir: string;

const fieldline = (args: string[]): Promise<CliRun> =>
  runFieldline(args, { FIELDLINE_DATA_DIR: dataDir, FIELDLINE_CA_PASSPHRASE: 'correct-horse-battery' });
const port = (i: number): string => sim.gateways[i]?.port ?? '';

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'fieldline-messages-'));
  sim = await spawnSimulator({ count: 2, baud: 0, faults: ['fail-diag:name=selftest,gw=1'], extra: ['--delay', 'reboot=100'] });
  const init = await fieldline(['ca', 'init', '--json']);
  expect(init.code, init.stderr).toBe(0);
});

afterAll(async () => {
  await sim?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe('what provision and drift say', { timeout: 180_000 }, () => {
  it('limits read ≤ 250 ms and -20 … 70 °C; drift names --fix; a second run prints the fix for IDENTITY_EXISTS', async () => {
    const run = await fieldline(['provision', '--port', port(0), '--profile', PROFILE]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/pass link-rtt: [0-9.]+ ms — limit ≤ 250 ms/);
    expect(run.stderr).toMatch(/pass temperature: [-0-9.]+ °C — limit -20 … 70 °C/);
    expect(run.stderr).toContain('limit matches ^selftest: PASS$, return code 0');
    expect(run.stderr).not.toMatch(/\{"(max|min|pattern)"/);

    expect((await fieldline(['smp', 'settings', 'set', 'fieldline/report_interval', '99', '--as', 'u32', '--port', port(0)])).code).toBe(0);
    const drift = await fieldline(['drift', '--port', port(0), '--profile', PROFILE]);
    expect(drift.code).toBe(1);
    expect(drift.stdout).toContain(`fix: \`fieldline drift --port ${port(0)} --profile ${PROFILE} --fix\` writes the golden values back`);

    const again = await fieldline(['provision', '--port', port(0), '--profile', PROFILE]);
    expect(again.code).toBe(1);
    expect(again.stdout).toContain('error IDENTITY_EXISTS');
    expect(again.stdout).toMatch(/\n {2}fix: .*identity\.existing/);
  });

  it('a failed selftest shows the line that failed, not "ram: PASS"', async () => {
    const run = await fieldline(['provision', '--port', port(1), '--profile', PROFILE]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('FAIL selftest: selftest: FAIL (1 of 4 checks failed)');
    expect(run.stderr).not.toContain('selftest: ram: PASS');
  });
});
