/**
 * The replacement's plan takes the old unit's variables from its last passed provisioning run: a passed field-service
 * record after it (issue #16) carries no provisioning variables and is never the plan's run.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isFieldlineError } from '../errors';
import { openStore, type SqliteStore } from '../store/store';
import { sampleRunRecord, sampleServiceRecord } from '../testing/run-records';
import { planReplacement } from './replace';

let store: SqliteStore;
beforeEach(() => {
  store = openStore(':memory:');
});
afterEach(() => store.close());

describe('planReplacement', () => {
  it("takes the old unit's last passed provisioning run, not a later passed service record", () => {
    store.saveRun(sampleRunRecord({ id: 'run-1', serial: 'GW-OLD', startedAt: '2026-12-01T08:00:00.000Z', outcome: 'passed' }));
    store.saveRun(sampleServiceRecord({ id: 'visit-2', serial: 'GW-OLD', startedAt: '2026-12-05T08:00:00.000Z', action: 'remediate' }));
    const plan = planReplacement(store, 'gw-old');
    expect(plan.oldRun.id).toBe('run-1');
    expect(plan.oldRun.variables).toEqual(sampleRunRecord().variables);
  });

  it('refuses a unit whose only passed record is a service record', () => {
    store.saveRun(sampleServiceRecord({ id: 'visit-1', serial: 'GW-VISITED' }));
    let thrown: unknown;
    try {
      planReplacement(store, 'GW-VISITED');
    } catch (err) {
      thrown = err;
    }
    expect(isFieldlineError(thrown, 'REPLACE_NO_PASSED_RUN')).toBe(true);
  });
});
