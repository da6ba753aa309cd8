import { describe, expect, it } from 'vitest';
import type { Store } from '../store/types';
import { sampleRunRecord } from '../testing/run-records';
import type { RunRecord } from '../contract/run-record';
import { filesLeftByFailedRuns } from './left-on-device';

const SITE = '/lfs/config/site.json';

function failedLeaving(id: string, paths: string[]): RunRecord {
  const record = { ...sampleRunRecord(), id, outcome: 'failed' as const };
  record.rollback = {
    startedAt: record.endedAt,
    endedAt: record.endedAt,
    actions: paths.map((p) => ({ action: `remove file ${p}`, target: p, outcome: 'failed' as const, leftOnDevice: true })),
  };
  return record;
}

/** Only what the function reads: the device's runs, newest first, and each record. */
function storeOf(runs: RunRecord[]): Store {
  return {
    listRuns: () => runs.map((r) => ({ id: r.id, outcome: r.outcome })),
    getRun: (id: string) => runs.find((r) => r.id === id),
  } as unknown as Store;
}

describe('files left on the device by failed runs', () => {
  it('names each file with the newest failed run that left it, up to the last passed run', () => {
    const passed = { ...sampleRunRecord(), id: 'passed', outcome: 'passed' as const };
    const runs = [failedLeaving('newer', [SITE]), failedLeaving('older', [SITE, '/lfs/a']), passed, failedLeaving('before-pass', ['/lfs/b'])];
    expect([...filesLeftByFailedRuns(storeOf(runs), 'S')]).toEqual([
      [SITE, 'newer'],
      ['/lfs/a', 'older'],
    ]);
  });

  it('ignores actions that were undone, and old records without targets', () => {
    const record = failedLeaving('r', []);
    record.rollback!.actions.push({ action: 'restore files', outcome: 'done', detail: `${SITE} emptied (did not exist before)` });
    record.rollback!.actions.push({ action: `remove file ${SITE}`, target: SITE, outcome: 'done', verified: 'not found' });
    expect(filesLeftByFailedRuns(storeOf([record]), 'S').size).toBe(0);
  });
});
