/**
 * `fieldline service renew` SIGKILLed while the new certificate's install request is on the wire (issue #16): the
 * certificate was issued and registered before the device saw it, so nothing is left valid and unknown — `fieldline
 * repair` marks the service record interrupted and revokes that certificate — and the next renew brings the device back
 * to a verified identity, without leaving the certificate it replaced in service.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lastJsonLine, REPO_ROOT, runFieldline, type CliRun } from '../testing/cli';
import { provisionKilledAt } from '../testing/kill-provision';
import { spawnSimulator, type SpawnedSimulator } from '../testing/sim-process';

const PROFILE = join(REPO_ROOT, 'resources/profiles/gateway-eu.yaml');

let sim: SpawnedSimulator;
let dataDir: string;
const env = (): Record<string, string> => ({ FIELDLINE_DATA_DIR: dataDir, FIELDLINE_CA_PASSPHRASE: 'correct-horse-battery' });
const fieldline = (args: string[]): Promise<CliRun> => runFieldline(args, env());

interface IssuedRow {
  serial: string;
  state: string;
  runId: string;
}

/** `fieldline ca issued --json`: the store's certificate register, one array. */
async function issuedCertificates(): Promise<IssuedRow[]> {
  const listed = await fieldline(['ca', 'issued', '--json']);
  expect(listed.code, listed.stderr).toBe(0);
  return JSON.parse(listed.stdout) as IssuedRow[];
}

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'fieldline-kill-renew-'));
  sim = await spawnSimulator({ count: 1 });
  expect((await fieldline(['ca', 'init', '--json'])).code).toBe(0);
});

afterAll(async () => {
  await sim?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe('SIGKILL during service renew', () => {
  it('repair revokes the certificate the killed renew issued; the next renew passes and nothing stays in service unverified', { timeout: 120_000 }, async () => {
    const port = sim.gateways[0]!.port;
    const provisioned = await fieldline(['provision', '--port', port, '--profile', PROFILE, '--json']);
    expect(provisioned.code, provisioned.stderr).toBe(0);
    const original = (lastJsonLine(provisioned.stdout) as { certificate: { serial: string } }).certificate.serial;

    const killed = await provisionKilledAt({
      port,
      profile: PROFILE,
      env: env(),
      command: ['service', 'renew', '--port', port],
      // The identity group's install (command 1): the new certificate is on the wire.
      killAt: (r) => r.group === 'IDENTITY' && r.command === 1,
    });
    expect(killed.killed, `renew finished before the install request:\n${killed.output.slice(-1500)}`).toBe(true);

    const repair = await fieldline(['repair', '--json']);
    expect(repair.code, repair.stderr).toBe(0);
    const issued = await issuedCertificates();
    const fromKilled = issued.filter((c) => c.serial !== original);
    expect(fromKilled, JSON.stringify(issued)).toHaveLength(1);
    expect(fromKilled[0]!.state).toBe('revoked');

    const renewed = await fieldline(['service', 'renew', '--port', port, '--json']);
    expect(renewed.code, renewed.stdout + renewed.stderr).toBe(0);
    const after = await issuedCertificates();
    const inService = after.filter((c) => c.state === 'in-service');
    // One identity in service: the one the last renew installed and proved. The original is not left valid beside it.
    expect(inService, JSON.stringify(after)).toHaveLength(1);
    expect(inService[0]!.serial).not.toBe(original);
  });
});
