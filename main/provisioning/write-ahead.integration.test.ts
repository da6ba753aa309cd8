/**
 * The write-ahead rule (issue #11) against virtual gateways: every certificate is in the store's register before it
 * reaches the device and ends in service or revoked; `repairRuns` revokes what a dead process left and leaves a live
 * run alone; an unconfirmed image nobody recorded (a run killed after its reset) is taken over, not passed over.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GatewaySession } from '../device/session';
import { makeMcubootImage } from '../device/mcuboot-image';
import { loadProfile } from '../profiles/load';
import { initCa, listRevoked, openStationCa } from '../pki/station-ca';
import type { Signer } from '../pki/types';
import { readState, testImage, uploadImage } from '../smp/groups/image';
import { reset } from '../smp/groups/os';
import { openStore, type SqliteStore } from '../store/store';
import { REPO_ROOT } from '../testing/cli';
import { spawnSimulator, type SpawnedSimulator } from '../testing/sim-process';
import { systemRunInputs } from '../testing/run-inputs';
import { isOwnerAlive, repairRuns } from './repair';
import type { RunRecord } from '../contract/run-record';
import { runProvisioning } from './runner';

const PASSPHRASE = 'write-ahead-test-passphrase';
const PROFILE = join(REPO_ROOT, 'resources/profiles/gateway-eu.yaml');
let work: string;
let dataDir: string;
let signer: Signer;
let store: SqliteStore;
let sim: SpawnedSimulator;
/** A passed run of gateway 0 (the first test's), the model for the hand-made records of the repair test. */
let passedRun: RunRecord;

const provision = async (gw: number) =>
  runProvisioning({ ...systemRunInputs, port: sim.gateways[gw]!.port, profile: await loadProfile(PROFILE), signer, store, station: { name: 'wa' }, variables: {}, timeoutMs: 1000, rebootTimeoutMs: 15_000 });

/** The pid of a process that has exited: no process owns it now (pids are not reused that fast). */
function deadPid(): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['-e', '0']);
    child.once('exit', () => resolve(child.pid!));
  });
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'fieldline-wa-'));
  dataDir = join(work, 'data');
  await initCa(dataDir, { passphrase: PASSPHRASE });
  signer = await openStationCa(dataDir, PASSPHRASE);
  store = openStore(dataDir);
  sim = await spawnSimulator({ count: 3, baud: 0, faults: ['fail-diag:name=selftest,gw=1'], extra: ['--delay', 'reboot=100'] });
});

afterAll(async () => {
  store?.close();
  await sim?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

describe('write-ahead of what a run creates outside the store', () => {
  it('registers every certificate: in service after a pass, revoked after a rollback', async () => {
    const passed = await provision(0);
    const failed = await provision(1);
    expect(passed.outcome).toBe('passed');
    passedRun = passed;
    expect(failed.outcome).toBe('failed');
    const bySerial = new Map(store.listCertificates().map((c) => [c.serial, c]));
    expect(bySerial.get(passed.certificate!.serial.toLowerCase())).toMatchObject({ state: 'in-service', runId: passed.id, deviceSerial: passed.device.serial });
    expect(bySerial.get(failed.certificate!.serial.toLowerCase())).toMatchObject({ state: 'revoked', runId: failed.id });
    // The issue line is in the audit log before the step's end: the checkpoint wrote it.
    const actions = (store.db.prepare("SELECT action FROM audit WHERE details LIKE ? ORDER BY seq").pluck().all(`%${passed.id}%`) as string[]);
    expect(actions.indexOf('certificate.issued')).toBeGreaterThan(-1);
    expect(actions.indexOf('certificate.issued')).toBeLessThan(actions.indexOf('step.identity'));
  });

  it('repair revokes the certificate of a run whose process died and leaves a live run alone', async () => {
    const source = passedRun;
    const dead = structuredClone(source);
    dead.id = '00000000-0000-4000-8000-00000000dead';
    dead.outcome = 'running';
    dead.startedAt = new Date(Date.parse(source.startedAt) - 60_000).toISOString();
    dead.certificate = { ...source.certificate!, serial: 'deadbeef01', revoked: false };
    store.saveRun(dead);
    const live = structuredClone(dead);
    live.id = '00000000-0000-4000-8000-0000000011fe';
    live.certificate = { ...source.certificate!, serial: 'deadbeef02', revoked: false };
    store.saveRun(live); // owned by this process: alive
    store.db.prepare('UPDATE run_owners SET pid = ? WHERE run_id = ?').run(await deadPid(), dead.id);

    const report = await repairRuns({ store, signer: () => Promise.resolve(signer), actor: 'test' });
    expect(report.repaired).toEqual([{ id: dead.id, serial: dead.device.serial, was: 'running', now: 'interrupted', certificate: { serial: 'deadbeef01', revoked: 'now' } }]);
    expect(report.live).toEqual([{ id: live.id, pid: process.pid }]);
    expect((await listRevoked(dataDir)).map((e) => e.serial)).toContain('deadbeef01');
    expect(store.getRun(dead.id)).toMatchObject({ outcome: 'interrupted', error: { code: 'RUN_INTERRUPTED' }, certificate: { revoked: true } });
    expect(store.listCertificates({ state: 'issued' }).map((c) => c.serial)).toEqual(['deadbeef02']);
    // Once repaired, nothing more to do.
    expect((await repairRuns({ store, signer: () => Promise.reject(new Error('not needed')), actor: 'test', exceptRunId: live.id })).repaired).toEqual([]);
  });

  it('an owner on another host counts as alive; one from an earlier boot of this host does not', () => {
    const me = { pid: 1, host: 'here', bootId: 'b1' };
    expect(isOwnerAlive({ runId: 'r', pid: 2, host: 'elsewhere', bootId: 'x' }, me)).toBe(true);
    expect(isOwnerAlive({ runId: 'r', pid: 1, host: 'here', bootId: 'b0' }, me)).toBe(false);
    expect(isOwnerAlive(undefined, me)).toBe(false);
  });

  it('an unconfirmed image that no record names is confirmed only by a run that passes', async () => {
    const image = makeMcubootImage({ version: '1.2.0', size: 8_000 });
    const session = await GatewaySession.openSerial(sim.gateways[2]!.port, { timeoutMs: 1000 });
    try {
      const upload = await uploadImage(session.client, image, await session.buffers());
      expect(upload.bytes).toBe(image.length);
      const staged = (await readState(session.client)).find((s) => !s.active);
      await testImage(session.client, staged!.hash!);
      await reset(session.client);
    } finally {
      await session.close();
    }
    const record = await provision(2);
    expect(record.outcome, JSON.stringify(record.error)).toBe('passed');
    expect(record.steps.find((s) => s.name === 'firmware')?.evidence).toMatchObject({ installed: { version: '1.2.0' }, takenOver: expect.any(String) });
    const after = await GatewaySession.openSerial(sim.gateways[2]!.port, { timeoutMs: 1000 });
    try {
      expect((await readState(after.client)).find((s) => s.active)).toMatchObject({ version: '1.2.0', confirmed: true });
    } finally {
      await after.close();
    }
  });
});
