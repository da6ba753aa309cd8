/**
 * Issue #12's device replacement as a technician runs it, with child processes against a simulator process and a
 * reference registry: provision a unit, then `fieldline replace --old <it> --port <another>`; the refusals first.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deviceReplySchema, devicesPageSchema } from '../contract/registry/api';
import { lastJsonLine, REPO_ROOT, runFieldline, type CliRun } from '../testing/cli';
import { startTestRegistry, type TestRegistry } from '../testing/registry';
import { spawnSimulator, type SpawnedSimulator } from '../testing/sim-process';

const PROFILE = join(REPO_ROOT, 'resources/profiles/gateway-eu.yaml');
let sim: SpawnedSimulator;
let reg: TestRegistry;
let dataDir: string;

const fieldline = (args: string[], input?: string): Promise<CliRun> =>
  runFieldline(args, { FIELDLINE_DATA_DIR: dataDir, FIELDLINE_CA_PASSPHRASE: 'correct-horse-battery' }, 120_000, input);
const gw = (i: number): { port: string; serial: string } => sim.gateways[i]!;

interface Record {
  id: string;
  outcome: string;
  variables: { [name: string]: string };
  replaces?: string;
  certificate?: { serial: string };
  device: { serial: string };
  replacement?: { old: string; replaced: boolean; revoked: string[] };
}

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'fieldline-replace-cli-'));
  [sim, reg] = await Promise.all([
    // Gateway 2 fails its selftest: a replacement whose new run fails.
    spawnSimulator({ count: 3, baud: 0, faults: ['fail-diag:name=selftest,gw=2'], extra: ['--delay', 'reboot=100'] }),
    startTestRegistry(),
  ]);
  const init = await fieldline(['ca', 'init', '--json']);
  expect(init.code, init.stderr).toBe(0);
}, 60_000);

afterAll(async () => {
  await sim?.stop();
  await reg?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe('fieldline replace (issue #12, build item 5)', { timeout: 240_000 }, () => {
  it('refuses a unit with no passed run, and the old unit itself as the new one, with exit 2 and nothing done', async () => {
    const unknown = await fieldline(['replace', '--old', 'NO-SUCH-UNIT', '--port', gw(1).port, '--profile', PROFILE, '--json']);
    expect(unknown.code, unknown.stdout + unknown.stderr).toBe(2);
    expect(lastJsonLine(unknown.stdout)).toMatchObject({ error: { code: 'REPLACE_NO_PASSED_RUN' } });

    const first = await fieldline(['provision', '--port', gw(0).port, '--profile', PROFILE, '--var', 'site=LYS-7', '--json']);
    expect(first.code, first.stdout + first.stderr).toBe(0);
    const same = await fieldline(['replace', '--old', gw(0).serial, '--port', gw(0).port, '--profile', PROFILE]);
    expect(same.code).toBe(2);
    expect(same.stderr).toMatch(/reports .* the serial of the unit to replace/);
    expect((await fieldline(['runs', 'list', '--serial', gw(0).serial, '--json'])).stdout).not.toContain('"failed"');
  });

  it("a new unit whose run fails leaves the old unit's certificate valid and no link (exit 1)", async () => {
    const run = await fieldline(['replace', '--old', gw(0).serial, '--port', gw(2).port, '--profile', PROFILE, '--json']);
    expect(run.code, run.stdout + run.stderr).toBe(1);
    const record = lastJsonLine(run.stdout) as unknown as Record;
    expect(record).toMatchObject({ outcome: 'failed', replacement: { replaced: false, revoked: [] } });
    expect(record.replaces).toBeUndefined();
    const revoked = lastJsonLine((await fieldline(['ca', 'revoked', '--json'])).stdout) as unknown as Array<{ reason: string }>;
    expect(revoked.filter((r) => r.reason === 'replaced')).toEqual([]);
    expect(lastJsonLine((await fieldline(['replacements', gw(0).serial, '--json'])).stdout)).toEqual({ serial: gw(0).serial });
  });

  it("provisions the new unit with the old one's variables, revokes the old certificate (replaced) and links both, in the store and the registry", async () => {
    const oldRuns = lastJsonLine((await fieldline(['runs', 'list', '--serial', gw(0).serial, '--json'])).stdout) as unknown as Array<{ id: string; outcome: string }>;
    const oldRun = lastJsonLine((await fieldline(['runs', 'show', oldRuns.find((r) => r.outcome === 'passed')!.id, '--json'])).stdout) as unknown as Record;

    const run = await fieldline(['replace', '--old', gw(0).serial, '--port', gw(1).port, '--profile', PROFILE, '--json']);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    const record = lastJsonLine(run.stdout) as unknown as Record;
    expect(record).toMatchObject({ outcome: 'passed', device: { serial: gw(1).serial }, replaces: gw(0).serial, variables: oldRun.variables });
    expect(record.variables.site).toBe('LYS-7');
    expect(record.replacement).toEqual({ old: gw(0).serial, replaced: true, revoked: [oldRun.certificate!.serial.toLowerCase()] });

    const revoked = lastJsonLine((await fieldline(['ca', 'revoked', '--json'])).stdout) as unknown as Array<{ serial: string; reason: string }>;
    expect(revoked).toContainEqual(expect.objectContaining({ serial: oldRun.certificate!.serial.toLowerCase(), reason: 'replaced' }));
    const issued = lastJsonLine((await fieldline(['ca', 'issued', '--json'])).stdout) as unknown as Array<{ serial: string; state: string }>;
    expect(issued.find((c) => c.serial === oldRun.certificate!.serial.toLowerCase())?.state).toBe('revoked');

    expect(lastJsonLine((await fieldline(['replacements', gw(0).serial, '--json'])).stdout)).toEqual({ serial: gw(0).serial, replacedBy: gw(1).serial });
    expect(lastJsonLine((await fieldline(['replacements', gw(1).serial, '--json'])).stdout)).toEqual({ serial: gw(1).serial, replaces: gw(0).serial });
    const again = await fieldline(['replace', '--old', gw(0).serial, '--port', gw(2).port, '--profile', PROFILE, '--json']);
    expect(again.code).toBe(2);
    expect(lastJsonLine(again.stdout)).toMatchObject({ error: { code: 'REPLACE_ALREADY_REPLACED' } });

    const audit = await fieldline(['audit', 'verify', '--json']);
    expect(audit.code, audit.stdout).toBe(0);

    const login = await fieldline(['registry', 'login', '--url', reg.url, '--token-stdin', '--json'], reg.token + '\n');
    expect(login.code, login.stdout + login.stderr).toBe(0);
    const sync = await fieldline(['sync', '--once', '--json']);
    expect(sync.code, sync.stdout + sync.stderr).toBe(0);
    const device = async (serial: string) => {
      const res = await fetch(`${reg.url}/v1/devices/${encodeURIComponent(serial)}`, { headers: { authorization: `Bearer ${reg.token}` } });
      expect(res.status).toBe(200);
      return deviceReplySchema.parse(await res.json());
    };
    expect(await device(gw(0).serial)).toMatchObject({ replacedBy: gw(1).serial });
    expect(await device(gw(1).serial)).toMatchObject({ replaces: gw(0).serial });
    expect((await device(gw(2).serial)).replaces).toBeUndefined();

    // Every run named the site LYS-7 (the replacements took the old unit's variables): the registry groups all three
    // there, each with its newest provisioning run (issue #16).
    expect((await device(gw(1).serial)).site).toBe('LYS-7');
    const res = await fetch(`${reg.url}/v1/devices?site=LYS-7`, { headers: { authorization: `Bearer ${reg.token}` } });
    const atSite = devicesPageSchema.parse(await res.json());
    expect(atSite.devices.map((d) => d.serial).sort()).toEqual([gw(0).serial, gw(1).serial, gw(2).serial].sort());
    expect(atSite.devices.find((d) => d.serial === gw(1).serial)?.latestRun).toMatchObject({ id: record.id, outcome: 'passed' });
    expect(atSite.devices.find((d) => d.serial === gw(2).serial)?.latestRun.outcome).toBe('failed');
  });
});
