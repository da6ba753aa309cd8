/**
 * Issue #12's rollback done-when, as a technician would check it with the CLI (child processes against simulator
 * processes): a gateway failing its selftest ends with no /lfs/config/site.json (`smp fs stat` says not found) and
 * the settings it had; without the file-system shell the record and report say the file was left on the device,
 * and `drift` lists it.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunRecord } from '../contract/run-record';
import { spawnSimulator, type SpawnedSimulator } from '../testing/sim-process';
import { lastJsonLine, REPO_ROOT, runFieldline, type CliRun } from '../testing/cli';

const PROFILE = join(REPO_ROOT, 'resources/profiles/gateway-eu.yaml');
const SITE = '/lfs/config/site.json';
const SETTINGS = ['fieldline/site', 'fieldline/report_interval', 'fieldline/max_peers', 'fieldline/telemetry', 'fieldline/channel_mask'];
const FAULT = 'fail-diag:name=selftest';

let withShell: SpawnedSimulator;
let noShell: SpawnedSimulator;
let dataDir: string;
/** Both simulators number their gateways alike: each gateway gets its own station data (store, CA). */
let station = 'with-shell';

const fieldline = (args: string[]): Promise<CliRun> =>
  runFieldline(args, { FIELDLINE_DATA_DIR: join(dataDir, station), FIELDLINE_CA_PASSPHRASE: 'correct-horse-battery' });

/** Every setting the profile writes, as `smp settings get` prints it (or its error). */
async function settings(port: string): Promise<string[]> {
  const out: string[] = [];
  for (const name of SETTINGS) {
    const run = await fieldline(['smp', 'settings', 'get', name, '--port', port, '--as', 'hex', '--json']);
    out.push(`${name} ${run.code} ${run.stdout.trim()}`);
  }
  return out;
}

async function provisionFails(port: string): Promise<RunRecord> {
  const run = await fieldline(['provision', '--port', port, '--profile', PROFILE, '--json']);
  expect(run.code, run.stderr + run.stdout).toBe(1);
  const record = lastJsonLine(run.stdout) as unknown as RunRecord;
  expect(record).toMatchObject({ outcome: 'failed', error: { code: 'DIAGNOSTICS_FAILED' } });
  return record;
}

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'fieldline-rollback-cli-'));
  [withShell, noShell] = await Promise.all([
    spawnSimulator({ count: 1, baud: 0, faults: [FAULT], extra: ['--delay', 'reboot=100'] }),
    spawnSimulator({ count: 1, baud: 0, faults: [FAULT], extra: ['--delay', 'reboot=100', '--no-fs-shell'] }),
  ]);
  for (const name of ['with-shell', 'no-shell']) {
    station = name;
    const init = await fieldline(['ca', 'init', '--json']);
    expect(init.code, init.stderr).toBe(0);
  }
}, 120_000);

afterAll(async () => {
  await withShell?.stop();
  await noShell?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe('verified rollback (issue #12 done-when)', { timeout: 180_000 }, () => {
  it('a gateway failing its selftest ends with no site.json and the settings it had', async () => {
    station = 'with-shell';
    const port = withShell.gateways[0]!.port;
    const before = await settings(port);
    const record = await provisionFails(port);
    const removal = record.rollback?.actions.find((a) => a.target === SITE);
    expect(removal).toMatchObject({ action: `remove file ${SITE}`, outcome: 'done', verified: 'not found' });
    expect(record.rollback?.actions.filter((a) => a.outcome === 'failed')).toEqual([]);

    const stat = await fieldline(['smp', 'fs', 'stat', SITE, '--port', port]);
    expect(stat.code, stat.stderr).toBe(1);
    expect(stat.stdout.trim()).toBe(`${SITE}: not found`);
    expect(await settings(port)).toEqual(before);

    // The report says the run's certificate was revoked, when and why (the CA's list), not only its fingerprint.
    const html = join(dataDir, 'with-shell', 'failed.html');
    const report = await fieldline(['report', record.id.slice(0, 8), '--html', html]);
    expect(report.code, report.stderr).toBe(0);
    const page = await readFile(html, 'utf8');
    expect(page).toMatch(/<p class="fail" id="certificate-revoked">This certificate is REVOKED on \d{4}-\d{2}-\d{2}T[^ ]+ — rolled back: /);
    expect(page).toContain(record.certificate?.fingerprintSha256 ?? 'no certificate in the record');
  });

  it('without the file-system shell the record and report say the file was left, and drift lists it', async () => {
    station = 'no-shell';
    const port = noShell.gateways[0]!.port;
    const before = await settings(port);
    const record = await provisionFails(port);
    const left = record.rollback?.actions.find((a) => a.target === SITE);
    expect(left).toMatchObject({ outcome: 'failed', leftOnDevice: true, verified: expect.stringMatching(/^present, \d+ bytes$/) });
    expect(left?.detail).toContain('left on device');
    expect(await settings(port)).toEqual(before);

    const html = join(dataDir, 'no-shell', 'left.html');
    const report = await fieldline(['report', record.id.slice(0, 8), '--html', html]);
    expect(report.code, report.stderr).toBe(0);
    const page = await readFile(html, 'utf8');
    expect(page).toContain('Left on device');
    expect(page).toContain(SITE);

    const drift = await fieldline(['drift', '--port', port, '--profile', PROFILE, '--json']);
    expect(drift.code, drift.stderr).toBe(1);
    const differences = lastJsonLine(drift.stdout).differences as Array<{ kind: string; name: string; actual: string | null; fixable: boolean }>;
    expect(differences).toContainEqual({ kind: 'file', name: SITE, expected: null, actual: expect.stringContaining(`left by failed run ${record.id.slice(0, 8)}`), fixable: false });
    const text = await fieldline(['drift', '--port', port, '--profile', PROFILE]);
    expect(text.stdout).toContain(`file ${SITE}: expected (absent), device has present`);
  });
});
