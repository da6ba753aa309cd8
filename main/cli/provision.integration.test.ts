/**
 * The provisioning commands as a technician runs them, as child processes against a simulator process:
 * ca init → provision → identity verifies with openssl → drift → audit verify, and the failure paths.
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSimulator, type SpawnedSimulator } from '../testing/sim-process';
import { lastJsonLine, REPO_ROOT, runFieldline, type CliRun } from '../testing/cli';

const root = REPO_ROOT;
const PROFILE = join(root, 'resources/profiles/gateway-eu.yaml');
// Each test runs the CLI several times as a child process (about a second each to start): generous timeouts.
let sim: SpawnedSimulator;
let dataDir: string;

const fieldline = (args: string[]): Promise<CliRun> =>
  runFieldline(args, { FIELDLINE_DATA_DIR: dataDir, FIELDLINE_CA_PASSPHRASE: 'correct-horse-battery' });

const last = lastJsonLine;
const port = (i: number): string => sim.gateways[i]!.port;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'fieldline-prov-cli-'));
  sim = await spawnSimulator({ count: 3, baud: 0, faults: ['fail-diag:name=selftest,gw=1'], extra: ['--delay', 'reboot=100'] });
  const init = await fieldline(['ca', 'init', '--json']);
  expect(init.code, init.stderr).toBe(0);
});

afterAll(async () => {
  await sim?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe('fieldline provision (done-when of issue #3)', { timeout: 180_000 }, () => {
  it('provisions, the certificate verifies with openssl, drift sees nothing and then exactly one changed setting', async () => {
    const run = await fieldline(['provision', '--port', port(0), '--profile', PROFILE, '--json']);
    expect(run.code, run.stderr + run.stdout).toBe(0);
    const record = last(run.stdout) as { outcome: string; steps: Array<{ outcome: string }>; id: string };
    expect(record.outcome).toBe('passed');
    expect(record.steps.every((s) => s.outcome === 'passed')).toBe(true);
    expect(run.stdout).toContain('"event":"step-start"');

    const info = last((await fieldline(['smp', 'identity', 'info', '--port', port(0), '--json'])).stdout) as { cert: string };
    await writeFile(join(dataDir, 'leaf.pem'), info.cert);
    const ca = last((await fieldline(['ca', 'show', '--json'])).stdout) as { root: { path: string }; intermediate: { path: string } };
    expect(execFileSync('openssl', ['verify', '-CAfile', ca.root.path, '-untrusted', ca.intermediate.path, join(dataDir, 'leaf.pem')]).toString()).toMatch(/OK/);

    const clean = await fieldline(['drift', '--port', port(0), '--profile', PROFILE, '--json']);
    expect(clean.code, clean.stdout + clean.stderr).toBe(0);
    expect(last(clean.stdout).differences).toEqual([]);
    expect((await fieldline(['smp', 'settings', 'set', 'fieldline/report_interval', '99', '--as', 'u32', '--port', port(0)])).code).toBe(0);
    const drifted = await fieldline(['drift', '--port', port(0), '--profile', PROFILE, '--json']);
    expect(drifted.code).toBe(1);
    expect((last(drifted.stdout).differences as Array<{ name: string }>).map((d) => d.name)).toEqual(['fieldline/report_interval']);
    const fixed = await fieldline(['drift', '--port', port(0), '--profile', PROFILE, '--fix', '--json']);
    expect(fixed.code, fixed.stdout).toBe(0);
    expect((await fieldline(['drift', '--port', port(0), '--profile', PROFILE])).code).toBe(0);

    const html = join(dataDir, 'report.html');
    const rep = await fieldline(['report', record.id.slice(0, 8), '--html', html]);
    expect(rep.code, rep.stderr).toBe(0);
    const page = await readFile(html, 'utf8');
    expect(page).toContain('PASSED');
    expect(page).toContain(sim.gateways[0]!.serial);
  });

  it('a gateway failing a diagnostic exits 1 and keeps its settings and firmware', async () => {
    const before = await fieldline(['smp', 'settings', 'get', 'fieldline/site', '--port', port(1), '--json']);
    const run = await fieldline(['provision', '--port', port(1), '--profile', PROFILE, '--json']);
    expect(run.code).toBe(1);
    const record = last(run.stdout) as { outcome: string; error: { code: string } };
    expect(record).toMatchObject({ outcome: 'failed', error: { code: 'DIAGNOSTICS_FAILED' } });
    const after = await fieldline(['smp', 'settings', 'get', 'fieldline/site', '--port', port(1), '--json']);
    expect(after.code).toBe(before.code);
    expect(after.stdout).toBe(before.stdout);
    const slots = JSON.parse((await fieldline(['smp', 'image', 'list', '--port', port(1), '--json'])).stdout) as Array<{ active: boolean; version: string }>;
    expect(slots.find((s) => s.active)?.version).toBe('1.0.0');
  });

  it('audit verify passes, and fails after any audit row is edited', async () => {
    expect((await fieldline(['audit', 'verify'])).code).toBe(0);
    const db = new Database(join(dataDir, 'fieldline.db'));
    db.prepare("UPDATE audit SET subject = 'forged' WHERE seq = 2").run();
    db.close();
    const broken = await fieldline(['audit', 'verify', '--json']);
    expect(broken.code).toBe(1);
    expect(broken.stdout).toMatch(/"seq":2/);
  });

  it('usage and environment errors exit 2 before touching the device', async () => {
    const unsigned = await fieldline(['provision', '--port', port(2), '--profile', PROFILE, '--require-signature']);
    expect(unsigned.code).toBe(2);
    expect(unsigned.stderr).toMatch(/sign/i);
    const badVar = await fieldline(['provision', '--port', port(2), '--profile', PROFILE, '--var', 'nosuch=1']);
    expect(badVar.code).toBe(2);
    const noPort = await fieldline(['provision', '--port', '/dev/fieldline-none', '--profile', PROFILE]);
    expect(noPort.code).toBe(2);
    expect((await fieldline(['runs', 'list', '--serial', sim.gateways[2]!.serial, '--json'])).stdout.trim()).toBe('[]');
  });

  it('profile test provisions a throwaway virtual gateway and passes for the shipped examples', async () => {
    for (const example of ['gateway-eu.yaml', 'gateway-inject.yaml']) {
      const r = await fieldline(['profile', 'test', join(root, 'resources/profiles', example), '--json']);
      expect(r.code, `${example}: ${r.stdout}${r.stderr}`).toBe(0);
      expect(last(r.stdout)).toMatchObject({ record: { outcome: 'passed' }, drift: [] });
    }
  });
});
