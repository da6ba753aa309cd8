/** The previousResult hook over a real store: the device's last run with this profile, found by the port's serial. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore, type SqliteStore } from '../store/store';
import { sampleRunRecord, sampleServiceRecord } from '../testing/run-records';
import { previousFromStore } from './previous';
import type { WatchedPort } from './port-watch';

let dir: string;
let store: SqliteStore;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fieldline-previous-'));
  store = openStore(dir);
});
afterEach(async () => {
  store.close();
  await rm(dir, { recursive: true, force: true });
});

const at = (minute: number): string => new Date(Date.UTC(2026, 10, 26, 6, minute)).toISOString();
const PROFILE = { name: 'acme-gateway', sha256: 'ab'.repeat(32) };
const usb = (serialNumber?: string): WatchedPort => ({ path: '/dev/ttyACM0', source: 'usb', vid: '2fe3', pid: '0100', ...(serialNumber !== undefined ? { serialNumber } : {}) });

describe('previousFromStore', () => {
  it('finds the device’s last run by the port’s serial, in any case, and says how it ended', () => {
    store.saveRun(sampleRunRecord({ id: 'r-1', serial: 'E3A1C0FFEE01', startedAt: at(1), outcome: 'failed' }));
    store.saveRun(sampleRunRecord({ id: 'r-2', serial: 'E3A1C0FFEE01', startedAt: at(2), outcome: 'passed' }));
    const previous = previousFromStore(store, PROFILE);
    expect(previous(usb('e3a1c0ffee01'))).toEqual({ runId: 'r-2', outcome: 'passed', serial: 'E3A1C0FFEE01' });
    expect(previous({ path: '/tmp/ports/E3A1C0FFEE01', source: 'virtual', serialNumber: 'E3A1C0FFEE01' })).toMatchObject({ runId: 'r-2' });
    // A later failure is the device's verdict now: the orchestrator provisions it again.
    store.saveRun(sampleRunRecord({ id: 'r-3', serial: 'E3A1C0FFEE01', startedAt: at(3), outcome: 'failed' }));
    expect(previous(usb('E3A1C0FFEE01'))).toEqual({ runId: 'r-3', outcome: 'failed', serial: 'E3A1C0FFEE01' });
  });

  it('judges by provisioning runs only: a service record is no verdict, passed or failed (issue #16)', () => {
    // A service visit that passed, on a device whose provisioning failed: not "passed earlier", it is provisioned again.
    store.saveRun(sampleRunRecord({ id: 'r-1', serial: 'GW-SVC', startedAt: at(1), outcome: 'failed' }));
    store.saveRun({ ...sampleServiceRecord({ id: 'v-2', serial: 'GW-SVC', startedAt: at(2) }), profile: { name: PROFILE.name, version: '1.2.0', sha256: PROFILE.sha256 } });
    const previous = previousFromStore(store, PROFILE);
    expect(previous(usb('GW-SVC'))).toEqual({ runId: 'r-1', outcome: 'failed', serial: 'GW-SVC' });
    // A passed unit serviced later (the visit failed) is still a unit that passed: not provisioned twice.
    store.saveRun(sampleRunRecord({ id: 'r-3', serial: 'GW-SVC', startedAt: at(3), outcome: 'passed' }));
    store.saveRun({ ...sampleServiceRecord({ id: 'v-4', serial: 'GW-SVC', startedAt: at(4), outcome: 'failed' }), profile: { name: PROFILE.name, version: '1.2.0', sha256: PROFILE.sha256 } });
    expect(previous(usb('GW-SVC'))).toEqual({ runId: 'r-3', outcome: 'passed', serial: 'GW-SVC' });
    // Only service records: nothing known of its provisioning.
    store.saveRun({ ...sampleServiceRecord({ id: 'v-5', serial: 'GW-SVC-ONLY', startedAt: at(5) }), profile: { name: PROFILE.name, version: '1.2.0', sha256: PROFILE.sha256 } });
    expect(previous(usb('GW-SVC-ONLY'))).toBeUndefined();
  });

  it('knows nothing of a port without a serial, an unknown device, or a run of another profile or profile version', () => {
    store.saveRun(sampleRunRecord({ id: 'r-1', serial: 'GW-1', startedAt: at(1), outcome: 'passed' }));
    expect(previousFromStore(store, PROFILE)(usb())).toBeUndefined();
    expect(previousFromStore(store, PROFILE)(usb('  '))).toBeUndefined();
    expect(previousFromStore(store, PROFILE)({ path: 'ble:aa:bb', source: 'fixed' })).toBeUndefined();
    expect(previousFromStore(store, PROFILE)(usb('GW-2'))).toBeUndefined();
    expect(previousFromStore(store, { ...PROFILE, name: 'other' })(usb('GW-1'))).toBeUndefined();
    expect(previousFromStore(store, { ...PROFILE, sha256: 'cd'.repeat(32) })(usb('GW-1'))).toBeUndefined();
    expect(previousFromStore(store, PROFILE)(usb('GW-1'))).toMatchObject({ runId: 'r-1', outcome: 'passed' });
  });
});
