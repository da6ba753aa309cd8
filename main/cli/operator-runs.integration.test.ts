/**
 * Runs on a claimed station (issue #14), through the real CLI against a virtual gateway: a technician provisions with
 * a profile a trusted publisher signed, not with an unsigned one (an override, a supervisor's) nor as a rework; nobody
 * signed in provisions nothing; and the run's audit entries name the operator who started it, not the station.
 */
import { copyFile, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lastJsonLine, REPO_ROOT, runFieldline, type CliRun } from '../testing/cli';
import { spawnSimulator, type SpawnedSimulator } from '../testing/sim-process';

const CLEAN = ['FIELDLINE_OPERATOR', 'FIELDLINE_OPERATOR_SECRET', 'FIELDLINE_NEW_OPERATOR_SECRET'];
let sim: SpawnedSimulator;
let work: string;
let dataDir: string;
let signedProfile: string;
let unsignedProfile: string;

function fieldline(args: string[], env: Record<string, string> = {}): Promise<CliRun> {
  const clean = Object.fromEntries(CLEAN.map((k) => [k, undefined]));
  return runFieldline(args, { ...clean, FIELDLINE_DATA_DIR: dataDir, FIELDLINE_CA_PASSPHRASE: 'operator-runs-pass', ...env });
}

const as = (name: string): Record<string, string> => ({ FIELDLINE_OPERATOR: name, FIELDLINE_OPERATOR_SECRET: `${name}-secret` });

async function add(name: string, role: string, by?: string): Promise<void> {
  const r = await fieldline(['operator', 'add', name, '--role', role], { ...(by ? as(by) : {}), FIELDLINE_NEW_OPERATOR_SECRET: `${name}-secret` });
  expect(r.code, r.stderr).toBe(0);
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'fieldline-operator-runs-'));
  dataDir = join(work, 'data');
  sim = await spawnSimulator({ count: 1, baud: 0 });
  await add('root', 'admin');
  await add('tina', 'technician', 'root');
  await add('sam', 'supervisor', 'root');
  expect((await fieldline(['ca', 'init'], as('root'))).code).toBe(0);
  // A publisher key the station trusts, and the example profile signed with it (a copy beside the unsigned one).
  const prefix = join(work, 'publisher');
  expect((await fieldline(['profile', 'keygen', '--out', prefix])).code).toBe(0);
  await mkdir(join(dataDir, 'trust'), { recursive: true });
  await copyFile(`${prefix}.pub.pem`, join(dataDir, 'trust', 'publisher.pub.pem'));
  unsignedProfile = join(REPO_ROOT, 'resources/profiles/gateway-eu.yaml');
  signedProfile = join(work, 'gateway-eu.yaml');
  await copyFile(unsignedProfile, signedProfile);
  expect((await fieldline(['profile', 'sign', signedProfile, '--key', `${prefix}.pem`])).code).toBe(0);
}, 120_000);

afterAll(async () => {
  await sim?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

describe('runs on a claimed station', { timeout: 180_000 }, () => {
  it('refuses what the role does not hold, before the device is touched', async () => {
    const port = sim.gateways[0]!.port;
    const unsigned = await fieldline(['provision', '--port', port, '--profile', unsignedProfile, '--json'], as('tina'));
    expect(unsigned.code).toBe(2);
    expect(lastJsonLine(unsigned.stdout)).toMatchObject({
      error: { code: 'PERMISSION_DENIED', message: expect.stringContaining('provision with a profile no trusted publisher signed needs the supervisor role; tina is a technician') },
    });
    const rework = await fieldline(['provision', '--port', port, '--profile', signedProfile, '--reprovision', '--json'], as('tina'));
    expect(lastJsonLine(rework.stdout)).toMatchObject({ error: { code: 'PERMISSION_DENIED', message: expect.stringContaining('provision as a rework needs the supervisor role') } });
    const nobody = await fieldline(['provision', '--port', port, '--profile', signedProfile, '--json']);
    expect(nobody.code).toBe(2);
    expect(lastJsonLine(nobody.stdout)).toMatchObject({ error: { code: 'OPERATOR_SIGN_IN_REQUIRED' } });
    expect(JSON.parse((await fieldline(['runs', 'list', '--json'])).stdout)).toEqual([]);
  });

  it("a technician provisions with a signed profile, and the run's audit entries name the technician", async () => {
    const port = sim.gateways[0]!.port;
    const run = await fieldline(['provision', '--port', port, '--profile', signedProfile, '--json'], as('tina'));
    expect(run.code, run.stderr).toBe(0);
    const record = lastJsonLine(run.stdout) as { id: string; outcome: string };
    expect(record.outcome).toBe('passed');

    const entries = JSON.parse((await fieldline(['audit', 'list', '--limit', '1000', '--json'])).stdout) as Array<{ actor: string; action: string; details: { run?: string } }>;
    const ofRun = entries.filter((e) => e.details.run === record.id);
    expect(ofRun.length).toBeGreaterThan(3);
    expect(new Set(ofRun.map((e) => e.actor))).toEqual(new Set(['operator:tina']));
    // From the claim on, no entry is anyone's but an operator's.
    expect(entries.filter((e) => !e.actor.startsWith('operator:'))).toEqual([]);
  });
});
