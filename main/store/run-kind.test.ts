/**
 * Provisioning runs apart from field-service records in the store (issue #16): listRuns and lastRun of one kind, a
 * record that merely names `service` inside its evidence still a provisioning run, and the device's last passed
 * provisioning run (what replace and drift take their variables from) never a service record.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sampleRunRecord, sampleServiceRecord } from '../testing/run-records';
import { lastPassedRun } from './find-run';
import { openStore, type SqliteStore } from './store';

let store: SqliteStore;
beforeEach(() => {
  store = openStore(':memory:');
});
afterEach(() => store.close());

const at = (minute: number): string => new Date(Date.UTC(2026, 11, 7, 6, minute)).toISOString();

describe('runs of one kind', () => {
  it('lists provisioning runs or service records apart, and both by default', () => {
    const evidenceNamesService = sampleRunRecord({ id: 'run-2', serial: 'GW-K', startedAt: at(2), outcome: 'passed' });
    evidenceNamesService.steps[0]!.evidence = { service: { looks: 'like one' } };
    store.saveRun(sampleRunRecord({ id: 'run-1', serial: 'GW-K', startedAt: at(1) }));
    store.saveRun(evidenceNamesService);
    store.saveRun(sampleServiceRecord({ id: 'visit-3', serial: 'GW-K', startedAt: at(3) }));
    expect(store.listRuns({ serial: 'GW-K' }).map((r) => r.id)).toEqual(['visit-3', 'run-2', 'run-1']);
    expect(store.listRuns({ serial: 'GW-K', kind: 'provisioning' }).map((r) => r.id)).toEqual(['run-2', 'run-1']);
    expect(store.listRuns({ kind: 'service' }).map((r) => r.id)).toEqual(['visit-3']);
    expect(store.lastRun('GW-K')?.id).toBe('visit-3');
    expect(store.lastRun('GW-K', 'provisioning')?.id).toBe('run-2');
    expect(store.lastRun('GW-K', 'service')?.id).toBe('visit-3');
  });

  it("finds the device's last passed provisioning run, never a passed service record after it", () => {
    expect(lastPassedRun(store, 'GW-L')).toBeUndefined();
    store.saveRun(sampleRunRecord({ id: 'run-1', serial: 'GW-L', startedAt: at(1), outcome: 'passed' }));
    store.saveRun(sampleRunRecord({ id: 'run-2', serial: 'GW-L', startedAt: at(2), outcome: 'failed' }));
    store.saveRun(sampleServiceRecord({ id: 'visit-3', serial: 'GW-L', startedAt: at(3), action: 'remediate' }));
    expect(lastPassedRun(store, 'GW-L')?.id).toBe('run-1');
    expect(lastPassedRun(store, 'GW-L')?.variables).toEqual(sampleRunRecord().variables);
    // A device with service records only has no provisioning to take variables from.
    store.saveRun(sampleServiceRecord({ id: 'visit-4', serial: 'GW-M', startedAt: at(4) }));
    expect(lastPassedRun(store, 'GW-M')).toBeUndefined();
  });
});
