import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RunSummary } from '../../../main/contract/api';
import { driftStore } from '../state/drift';
import { createFakeApi, manualFrames, settle, type FakeApi } from '../testing/fake-api';
import { resetStores } from '../testing/reset';
import { device, profileDetails, profileItem, RUN_A, RUN_B, runRecord } from '../testing/samples';
import { pickDriftDevice, prepareDrift } from './drift';
import { startEffects } from './start';

const eu = profileItem('gateway-eu.yaml');
const us = profileItem('gateway-us.yaml');

const summary = (id: string, over: Partial<RunSummary>): RunSummary => ({
  id,
  serial: 'GW-1',
  profile: 'gateway-us',
  profileVersion: '1.0.0',
  station: 'st',
  outcome: 'passed',
  startedAt: '2026-01-01T10:00:00.000Z',
  endedAt: '2026-01-01T10:00:05.000Z',
  ...over,
});

let fake: FakeApi;
let stop: (() => void) | undefined;

beforeEach(async () => {
  resetStores();
  fake = createFakeApi({
    'devices:list': () => [device('/dev/pts/3', { serial: 'GW-1' }), device('/dev/pts/4', { lastRunId: RUN_B })],
    'profiles:list': () => [eu, us],
    'profiles:get': ({ path }) => profileDetails(path === us.path ? us : eu),
    // The newest run failed with gateway-eu; the one before passed with gateway-us.
    'runs:list': () => [summary(RUN_B, { profile: 'gateway-eu', outcome: 'failed' }), summary(RUN_A, {})],
    'runs:get': ({ runId }) => runRecord(runId, { device: { serial: 'GW-1', port: '/dev/pts/4' } }),
  });
  stop = startEffects(fake.api, { schedule: manualFrames().schedule });
  await settle();
});
afterEach(() => stop?.());

describe('Service visit: the device last profile', () => {
  it('preselects the profile of the last passed run, not the batch profile', async () => {
    await prepareDrift();
    expect(driftStore.getState()).toMatchObject({ deviceId: 'serial:/dev/pts/3', profilePath: us.path });
    expect(fake.calls.find((c) => c.method === 'runs:list')?.args).toEqual([{ serial: 'GW-1', limit: 100 }]);
  });

  it('finds the serial of a device not yet identified from its last run', async () => {
    driftStore.getState().pickProfile(eu.path);
    await pickDriftDevice('serial:/dev/pts/4');
    expect(fake.calls.find((c) => c.method === 'runs:get')?.args).toEqual([{ runId: RUN_B }]);
    expect(driftStore.getState().profilePath).toBe(us.path);
  });

  it('keeps the profile shown when the device has no passed run or was picked away meanwhile', async () => {
    driftStore.getState().pickProfile(eu.path);
    fake.handlers['runs:list'] = () => [summary(RUN_B, { outcome: 'failed' })];
    await pickDriftDevice('serial:/dev/pts/3');
    expect(driftStore.getState().profilePath).toBe(eu.path);

    fake.handlers['runs:list'] = () => [summary(RUN_A, {})];
    const first = pickDriftDevice('serial:/dev/pts/3');
    driftStore.getState().pickDevice(undefined);
    await first;
    expect(driftStore.getState().profilePath).toBe(eu.path);
  });
});
