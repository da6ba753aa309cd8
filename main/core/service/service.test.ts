/**
 * Service actions with their inputs injected: an in-process virtual gateway, a store holding the gateway's passed
 * provisioning run, and its profile in the station's library. What is checked here is how an action records what
 * happened — a device that vanishes mid-action leaves a record that says interrupted, with nothing guessed about the
 * device afterwards; a device with no known provisioning run is refused before anything is recorded.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../contract/clock';
import type { RunRecord } from '../../contract/run-record';
import { FieldlineError } from '../../errors';
import { silentLogger } from '../../log';
import { loadProfile, type LoadedProfile } from '../../profiles/load';
import { openStore } from '../../store/store';
import type { Store } from '../../store/types';
import { virtualSession, type VirtualSession } from '../../testing/virtual-session';
import { createVisitKit } from '../visit-kit';
import { certificateTodos, driftTodo } from './inspect';
import { createServiceActions, type ServiceActions } from './service';
import { createServiceSources } from './sources';

let work: string;
let dataDir: string;
let store: Store;
let profile: LoadedProfile;

const PROFILE = `apiVersion: fieldline/v1
name: service-unit
version: 1.0.0
variables:
  site: { default: lab-1 }
firmware:
  minVersion: 1.0.0
settings:
  fieldline/site: { type: string, value: "{{ vars.site }}" }
diagnostics:
  - { type: firmware-version, name: firmware, min: "1.0.0" }
  - { type: echo-rtt, name: link, maxMs: 1000 }
`;

/** The gateway's passed provisioning run, as the store would hold it. */
function provisioned(serial: string): RunRecord {
  const at = new Date(Date.now() - 60_000).toISOString();
  return {
    id: randomUUID(),
    device: { serial, port: '/dev/virtual', firmwareBefore: '1.0.0', firmwareAfter: '1.0.0' },
    profile: { name: profile.profile.name, version: profile.profile.version, sha256: profile.sha256 },
    station: { name: 'line-1' },
    variables: { site: 'berlin-1' },
    startedAt: at,
    endedAt: at,
    outcome: 'passed',
    steps: [],
    diagnostics: [],
    site: 'berlin-1',
  };
}

function actionsOn(device: VirtualSession, storeFor: Store = store): ServiceActions {
  return createServiceActions({
    dataDir,
    store: () => storeFor,
    signer: () => Promise.reject(new FieldlineError('CA_LOCKED', 'no CA in this test')),
    station: { name: 'visit-laptop' },
    clock: systemClock,
    logger: silentLogger,
    sources: createServiceSources({ dataDir, store: () => store, visitKit: () => createVisitKit({ dataDir, store: () => store }) }),
    openSession: () => Promise.resolve(device.session),
  });
}

const request = { target: { kind: 'serial' as const, path: '/dev/virtual' }, operator: 'ana', actor: 'operator:ana' };

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'fieldline-service-unit-'));
  dataDir = join(work, 'data');
  await mkdir(join(dataDir, 'profiles'), { recursive: true });
  await writeFile(join(dataDir, 'profiles', 'service-unit.yaml'), PROFILE);
  profile = await loadProfile(join(dataDir, 'profiles', 'service-unit.yaml'));
  store = openStore(dataDir);
});

afterAll(async () => {
  store?.close();
  if (work) await rm(work, { recursive: true, force: true });
});

describe('service actions', () => {
  it('diagnoses against the profile of the last passed run, found by its hash, and records who did it', async () => {
    const device = await virtualSession({ serial: 'B2B2B2B2B2B20001' });
    const basis = provisioned('B2B2B2B2B2B20001');
    store.saveRun(basis);
    const result = await actionsOn(device).diagnose(request);
    expect(result).toMatchObject({
      action: 'diagnose',
      outcome: 'passed',
      basis: { runId: basis.id, source: 'store', profile: { name: 'service-unit', sha256: profile.sha256 }, profileFound: { source: 'library' }, variables: { site: 'berlin-1' } },
    });
    const saved = store.getRun(result.record.id);
    expect(saved).toMatchObject({
      outcome: 'passed',
      site: 'berlin-1',
      variables: { site: 'berlin-1' },
      service: { action: 'diagnose', operator: 'ana', basedOnRunId: basis.id, basedOnSource: 'store', before: { firmware: { version: '1.0.0' } }, after: { firmware: { version: '1.0.0' } } },
    });
    expect(saved?.diagnostics.map((d) => [d.name, d.passed])).toEqual([
      ['firmware', true],
      ['link', true],
    ]);
  });

  it('a device that vanishes mid-action leaves a record that says interrupted, and nothing read back', async () => {
    const serial = 'B2B2B2B2B2B20002';
    const device = await virtualSession({ serial });
    store.saveRun(provisioned(serial));
    const gone = new FieldlineError('PORT_VANISHED', 'USB cable pulled', { path: '/dev/virtual' });
    // The device goes away as soon as the action's first record is in the store: in the middle of the diagnostics.
    const unplugging: Store = {
      ...store,
      saveRun: (record, audit) => {
        store.saveRun(record, audit);
        if (record.service && record.outcome === 'running' && record.steps.length === 1) device.unplug(gone);
      },
    };
    const result = await actionsOn(device, unplugging).diagnose(request);
    expect(result.outcome).toBe('interrupted');
    const saved = store.getRun(result.record.id);
    expect(saved).toMatchObject({ outcome: 'interrupted', error: { code: 'PORT_VANISHED' }, service: { action: 'diagnose', after: { unread: expect.stringContaining('went away') } } });
    expect(saved?.steps.map((s) => [s.name, s.outcome])).toEqual([
      ['identify', 'passed'],
      ['diagnostics', 'failed'],
    ]);
    expect(saved?.endedAt).not.toBe('');
  });

  it('closing cancels an action under way: it ends recorded as cancelled before close() returns', async () => {
    const serial = 'B2B2B2B2B2B20005';
    const device = await virtualSession({ serial });
    store.saveRun(provisioned(serial));
    let closing: Promise<void> | undefined;
    // Made below, once the store it is given exists; the store's hook reaches it through this holder.
    const holder: { actions?: ServiceActions } = {};
    const closingStore: Store = {
      ...store,
      saveRun: (record, audit) => {
        store.saveRun(record, audit);
        if (record.service && record.outcome === 'running' && record.steps.length === 1) closing ??= holder.actions?.close();
      },
    };
    const actions = (holder.actions = actionsOn(device, closingStore));
    const result = await actions.diagnose(request);
    await closing;
    expect(result.outcome).toBe('cancelled');
    expect(store.getRun(result.record.id)).toMatchObject({ outcome: 'cancelled', error: { code: 'CANCELLED' } });
    await expect(actions.diagnose(request)).rejects.toThrow('the core is closed');
  });

  it('refuses a device with no passed provisioning run before anything is recorded', async () => {
    const serial = 'B2B2B2B2B2B20003';
    const device = await virtualSession({ serial });
    await expect(actionsOn(device).remediate(request)).rejects.toMatchObject({ code: 'SERVICE_NO_BASIS' });
    expect(store.listRuns({ serial })).toEqual([]);
  });

  it('inspects: the basis, drift against it, and the to-do that says what drifted', async () => {
    const serial = 'B2B2B2B2B2B20004';
    const device = await virtualSession({ serial });
    const basis = provisioned(serial);
    store.saveRun(basis);
    const seen = await actionsOn(device).inspect({ target: request.target });
    expect(seen).toMatchObject({ serial, firmware: '1.0.0', basis: { runId: basis.id }, identity: null, release: null });
    // The fresh virtual device never got the site setting: one setting drifted.
    expect(seen.drift.provisioned?.differences).toEqual([expect.objectContaining({ kind: 'setting', name: 'fieldline/site', expected: 'berlin-1', fixable: true })]);
    expect(seen.todos).toEqual([{ kind: 'drift', message: '1 setting drifted', action: 'remediate' }]);
    expect(seen.history.map((h) => h.runId)).toEqual([basis.id]);
  });
});

describe('the to-do list', () => {
  const certificate = { serial: '01', subject: 'CN=X', issuer: 'CN=CA', fingerprintSha256: 'ab'.repeat(32), notBefore: '2026-01-01T00:00:00.000Z', notAfter: '2027-01-01T00:00:00.000Z', issuedHere: true };
  it('says when the certificate expires within 30 days, has expired, or is revoked', () => {
    expect(certificateTodos({ ...certificate, expiresInDays: 20, revoked: false })).toEqual([{ kind: 'certificate-expiring', message: 'certificate expires in 20 days', action: 'renew' }]);
    expect(certificateTodos({ ...certificate, expiresInDays: 31, revoked: false })).toEqual([]);
    expect(certificateTodos({ ...certificate, expiresInDays: -2, revoked: false })).toEqual([{ kind: 'certificate-expired', message: 'certificate expired 2 days ago', action: 'renew' }]);
    expect(certificateTodos({ ...certificate, expiresInDays: 400, revoked: true })).toEqual([{ kind: 'certificate-revoked', message: 'certificate revoked', action: 'renew' }]);
    expect(certificateTodos(null)).toEqual([]);
  });
  it('counts the fixable differences: "2 settings drifted"', () => {
    const setting = (name: string) => ({ kind: 'setting' as const, name, expected: '1', actual: '2', fixable: true });
    expect(driftTodo([setting('a'), setting('b'), { kind: 'firmware', name: 'version', expected: '>= 2', actual: '1', fixable: false }])).toEqual({ kind: 'drift', message: '2 settings drifted', action: 'remediate' });
    expect(driftTodo([setting('a'), { kind: 'file', name: '/f', expected: 'x', actual: null, fixable: true }])?.message).toBe('1 setting and 1 file drifted');
    expect(driftTodo([])).toBeUndefined();
  });
});
