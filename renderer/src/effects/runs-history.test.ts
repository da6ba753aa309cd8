import { beforeEach, describe, expect, it } from 'vitest';
import type { RunSummary } from '../../../main/contract/api';
import { setApi } from './api';
import { runsStore } from '../state/runs';
import { NO_FILTER } from '../state/runs-filter';
import { createFakeApi, type FakeApi } from '../testing/fake-api';
import { resetStores } from '../testing/reset';
import { RUN_A, RUN_B, runRecord } from '../testing/samples';
import { exportHistoryCsv, filterHistory, openRun } from './runs';

const summary = (id: string, serial: string, outcome: RunSummary['outcome']): RunSummary => ({
  id,
  serial,
  profile: 'gateway-eu',
  profileVersion: '1.0.0',
  station: 'line-1',
  outcome,
  startedAt: '2026-12-07T08:00:00.000Z',
  endedAt: '2026-12-07T08:01:00.000Z',
});

let fake: FakeApi;
beforeEach(() => {
  resetStores();
  fake = createFakeApi({ 'runs:list': () => [summary(RUN_A, '=HYPERLINK("x")', 'failed'), summary(RUN_B, 'GW-2', 'passed')] });
  setApi(fake.api);
});

describe('the Runs history, filtered and exported', () => {
  it('asks runs:list with the filter bar as the contract takes it, and keeps the filter for the next load', async () => {
    await filterHistory({ ...NO_FILTER, serial: 'GW', outcome: 'failed' });
    expect(fake.calls.at(-1)).toEqual({ method: 'runs:list', args: [{ limit: 500, serialPrefix: 'GW', outcome: 'failed' }] });
    expect(runsStore.getState().historyFilter.outcome).toBe('failed');
    expect(runsStore.getState().history).toHaveLength(2);
  });

  it('exports the runs listed as formula-guarded CSV', async () => {
    await filterHistory(NO_FILTER);
    const saved: Array<{ name: string; text: string }> = [];
    expect(exportHistoryCsv((name, text) => saved.push({ name, text }), () => new Date('2026-12-07T10:00:00Z'))).toBe(2);
    expect(saved[0]?.name).toBe('fieldline-runs-2026-12-07.csv');
    const lines = saved[0]?.text.split('\r\n') ?? [];
    expect(lines[1]).toBe(`${RUN_A},"'=HYPERLINK(""x"")",failed,,gateway-eu,1.0.0,line-1,2026-12-07T08:00:00.000Z,2026-12-07T08:01:00.000Z`);
  });
});

describe('a run read back', () => {
  const certificate = { serial: '0a1b', fingerprintSha256: 'c'.repeat(64), subject: 'CN=GW-1', notBefore: 't0', notAfter: 't1', issuer: 'CN=st', mode: 'csr' as const };

  it('comes with where its certificate stands now, revoked since the run', async () => {
    fake.handlers['runs:get'] = () => runRecord(RUN_A, { outcome: 'failed', certificate });
    fake.handlers['runs:log'] = () => ({ lines: [], dropped: 0 });
    fake.handlers['runs:certificate'] = () => ({ state: 'revoked', revokedAt: '2026-12-07T09:00:00.000Z', reason: 'rolled back: diagnostics failed' });
    await openRun(RUN_A);
    expect(runsStore.getState().certificates[RUN_A]).toEqual({ state: 'revoked', revokedAt: '2026-12-07T09:00:00.000Z', reason: 'rolled back: diagnostics failed' });
  });

  it('without a certificate asks nothing more', async () => {
    fake.handlers['runs:get'] = () => runRecord(RUN_B);
    fake.handlers['runs:log'] = () => ({ lines: [], dropped: 0 });
    await openRun(RUN_B);
    expect(fake.calls.some((c) => c.method === 'runs:certificate')).toBe(false);
  });
});
