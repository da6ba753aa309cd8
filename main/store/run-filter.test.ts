import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RunFilterSchema } from '../contract/runs-filter';
import { sampleRunRecord } from '../testing/run-records';
import { listRunsOptions } from './run-filter';
import { openStore, type SqliteStore } from './store';

let dir: string;
let store: SqliteStore;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fieldline-run-filter-'));
  store = openStore(dir);
  const at = (day: number, hour: number): string => new Date(Date.UTC(2026, 11, day, hour)).toISOString();
  const runs = [
    { id: 'r1', serial: 'GW-0001', outcome: 'passed', startedAt: at(1, 8) },
    { id: 'r2', serial: 'GW-0002', outcome: 'failed', startedAt: at(2, 8) },
    { id: 'r3', serial: 'GW-0102', outcome: 'passed', startedAt: at(3, 8), profile: 'other-gateway' },
    // A serial with LIKE's wildcards in it: a prefix filter must not read them as wildcards.
    { id: 'r4', serial: 'GW_%1', outcome: 'cancelled', startedAt: at(4, 8) },
  ] as const;
  for (const r of runs) {
    const record = sampleRunRecord({ id: r.id, serial: r.serial, outcome: r.outcome, startedAt: r.startedAt });
    store.saveRun('profile' in r ? { ...record, profile: { ...record.profile, name: r.profile } } : record);
  }
});
afterEach(async () => {
  store.close();
  await rm(dir, { recursive: true, force: true });
});

const ids = (filter: unknown): string[] => store.listRuns(listRunsOptions(RunFilterSchema.parse(filter))).map((r) => r.id);

describe('the runs listing, filtered', () => {
  it('by the first characters of the serial, with no wildcard read into them', () => {
    expect(ids({ serialPrefix: 'GW-00' })).toEqual(['r2', 'r1']);
    expect(ids({ serialPrefix: 'GW_' })).toEqual(['r4']);
    expect(ids({ serialPrefix: 'GW-0' })).toEqual(['r3', 'r2', 'r1']);
  });

  it('by outcome and by profile name', () => {
    expect(ids({ outcome: 'passed' })).toEqual(['r3', 'r1']);
    expect(ids({ profile: 'other-gateway' })).toEqual(['r3']);
    expect(ids({ outcome: 'failed', profile: 'other-gateway' })).toEqual([]);
  });

  it('by a start-time range: from inclusive, to exclusive, in any ISO form', () => {
    expect(ids({ from: '2026-12-02T08:00:00.000Z', to: '2026-12-04T08:00:00.000Z' })).toEqual(['r3', 'r2']);
    // The same instants with an offset and without milliseconds.
    expect(ids({ from: '2026-12-02T09:00:00+01:00', to: '2026-12-04T09:00:00+01:00' })).toEqual(['r3', 'r2']);
  });

  it('bounded: the limit, and a filter the contract refuses before any query', () => {
    expect(ids({ limit: 2 })).toEqual(['r4', 'r3']);
    expect(RunFilterSchema.safeParse({ limit: 1001 }).success).toBe(false);
    expect(RunFilterSchema.safeParse({ serialPrefix: 'x'.repeat(201) }).success).toBe(false);
    expect(RunFilterSchema.safeParse({ from: 'yesterday' }).success).toBe(false);
    expect(RunFilterSchema.safeParse({ outcome: 'maybe' }).success).toBe(false);
    expect(RunFilterSchema.safeParse({ from: '2026-12-04T00:00:00Z', to: '2026-12-01T00:00:00Z' }).success).toBe(false);
    expect(RunFilterSchema.safeParse({ serial: 'GW\u0000' }).success).toBe(false);
    expect(RunFilterSchema.safeParse({ sql: '1=1' }).success).toBe(false);
  });
});
