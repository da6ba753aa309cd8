/**
 * Device replacement's edges, in process against a simulator process: a new unit that passes but whose old
 * certificate cannot be revoked is not linked (the record must not claim a replacement that did not happen), and the
 * old unit connected in place of the new one is refused before anything is written to it.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FieldlineError } from '../errors';
import { initCa, listRevoked, openStationCa } from '../pki/station-ca';
import type { Signer } from '../pki/types';
import { loadProfile, type LoadedProfile } from '../profiles/load';
import { openStore, type SqliteStore } from '../store/store';
import { REPO_ROOT } from '../testing/cli';
import { spawnSimulator, type SpawnedSimulator } from '../testing/sim-process';
import { systemRunInputs } from '../testing/run-inputs';
import { checkNewUnit, planReplacement, replaceDevice, type ReplaceOptions } from './replace';
import { runProvisioning } from './runner';

const PASSPHRASE = 'replace-test-passphrase';
const station = { name: 'replace-test' };
let dataDir: string;
let sim: SpawnedSimulator;
let signer: Signer;
let store: SqliteStore;
let profile: LoadedProfile;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'fieldline-replace-'));
  sim = await spawnSimulator({ count: 2, baud: 0, extra: ['--delay', 'reboot=100'] });
  await initCa(dataDir, { passphrase: PASSPHRASE });
  signer = await openStationCa(dataDir, PASSPHRASE);
  store = openStore(dataDir);
  profile = await loadProfile(join(REPO_ROOT, 'resources/profiles/gateway-eu.yaml'));
  const first = await runProvisioning({ ...systemRunInputs, port: sim.gateways[0]!.port, profile, signer, store, station, variables: { site: 'OLD-1' } });
  expect(first.outcome).toBe('passed');
}, 60_000);

afterAll(async () => {
  store?.close();
  await sim?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe('replaceDevice', { timeout: 120_000 }, () => {
  it('refuses the old unit itself as the new one, before writing anything', async () => {
    const plan = planReplacement(store, sim.gateways[0]!.serial.toLowerCase());
    expect(plan.oldSerial).toBe(sim.gateways[0]!.serial);
    const refusal = await checkNewUnit({ kind: 'serial', path: sim.gateways[0]!.port }, profile, plan).catch((err: unknown) => err);
    expect(refusal).toMatchObject({ code: 'REPLACE_SAME_DEVICE' });
    expect(store.listRuns({ serial: sim.gateways[0]!.serial })).toHaveLength(1);
  });

  it('links nothing when the old certificate cannot be revoked, though the new unit passed', async () => {
    const plan = planReplacement(store, sim.gateways[0]!.serial);
    const refusing: Signer = {
      issuer: signer.issuer,
      issue: (request) => signer.issue(request),
      revoke: () => Promise.reject(new FieldlineError('CA_LOCKED', 'the CA went away')),
      trustChainPem: () => signer.trustChainPem(),
    };
    // The new unit's run issues with the real signer; only the old unit's revocation meets the refusing one.
    const run: ReplaceOptions['run'] = (options) => runProvisioning({ ...systemRunInputs, ...options, signer, store });
    const result = await replaceDevice({ plan, port: sim.gateways[1]!.port, profile, signer: refusing, store, station, run });
    expect(result.record).toMatchObject({ outcome: 'passed', variables: { site: 'OLD-1' } });
    expect(result).toMatchObject({ replaced: false, revoked: [], problem: { code: 'CA_LOCKED' } });
    expect(result.record.replaces).toBeUndefined();
    expect(store.getRun(result.record.id)?.replaces).toBeUndefined();
    expect(store.deviceLinks(plan.oldSerial)).toEqual({});
    expect(store.listCertificates({ deviceSerial: plan.oldSerial }).map((c) => c.state)).toEqual(['in-service']);
    expect(listRevoked(dataDir).filter((r) => r.reason === 'replaced')).toEqual([]);
    const audit = store.db.prepare(`SELECT action FROM audit WHERE action LIKE 'replace.%' ORDER BY seq`).pluck().all();
    expect(audit).toEqual(['replace.start', 'replace.revoke-failed', 'replace.not-done']);
  });
});
