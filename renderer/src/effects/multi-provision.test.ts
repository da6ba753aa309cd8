/** Provision selected on the Devices screen: every ticked gateway at once, and the last profile used stays chosen. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fail } from '../../../main/contract/result';
import { devicesStore } from '../state/devices';
import { profilesStore } from '../state/profiles';
import { runsStore } from '../state/runs';
import { selectionStore } from '../state/selection';
import { createFakeApi, manualFrames, settle, type FakeApi } from '../testing/fake-api';
import { resetStores } from '../testing/reset';
import { device, profileDetails, profileItem } from '../testing/samples';
import { provisionSelected, startRun } from './devices';
import { startEffects } from './start';

const eu = profileItem('gateway-eu.yaml');
const us = profileItem('gateway-us.yaml');
const RUNS = ['11111111-1111-4111-8111-111111111111', '22222222-2222-4222-8222-222222222222', '33333333-3333-4333-8333-333333333333'];

let fake: FakeApi;
let stop: (() => void) | undefined;

beforeEach(async () => {
  resetStores();
  selectionStore.getState().setAll([]);
  let n = 0;
  fake = createFakeApi({
    'devices:list': () => [device('/dev/pts/3'), device('/dev/pts/4'), device('/dev/pts/5', { state: 'provisioning' })],
    'profiles:list': () => [eu, us],
    'profiles:get': ({ path }) => profileDetails(path === us.path ? us : eu),
    'provision:start': () => ({ runId: RUNS[n++] ?? RUNS[0]! }),
  });
  stop = startEffects(fake.api, { schedule: manualFrames().schedule });
  await settle();
});
afterEach(() => stop?.());

describe('Provision selected', () => {
  it('starts one run per ticked gateway that can start, with the batch profile, and unticks each as it starts', async () => {
    for (const id of ['serial:/dev/pts/3', 'serial:/dev/pts/4', 'serial:/dev/pts/5']) selectionStore.getState().toggle(id, true);
    const runs = await provisionSelected();
    expect(runs).toHaveLength(2);
    const sent = fake.calls.filter((c) => c.method === 'provision:start').map((c) => c.args[0] as { deviceId: string; profilePath: string });
    expect(sent.map((s) => s.deviceId).sort()).toEqual(['serial:/dev/pts/3', 'serial:/dev/pts/4']);
    expect(sent.every((s) => s.profilePath === profilesStore.getState().choice.profilePath)).toBe(true);
    // The running one was not asked for, and stays ticked for when it is free.
    expect(selectionStore.getState().ids).toEqual({ 'serial:/dev/pts/5': true });
    // Each row has its run at once, so its bar shows before the first progress event.
    for (const runId of runs) expect(runsStore.getState().byId[runId]?.outcome).toBe('running');
  });

  it('keeps a refused gateway ticked (the alert says why)', async () => {
    fake.handlers['provision:start'] = ({ deviceId }) => (deviceId === 'serial:/dev/pts/4' ? fail('DEVICE_BUSY') : { runId: RUNS[0]! });
    selectionStore.getState().setAll(['serial:/dev/pts/3', 'serial:/dev/pts/4']);
    expect(await provisionSelected()).toEqual([RUNS[0]]);
    expect(selectionStore.getState().ids).toEqual({ 'serial:/dev/pts/4': true });
    expect(devicesStore.getState().starting).toEqual({});
  });

  it('the profile of the last run started becomes the batch profile', async () => {
    expect(profilesStore.getState().choice.profilePath).toBe(eu.path);
    await startRun({ deviceId: 'serial:/dev/pts/3', profilePath: us.path, variables: {}, reprovision: false }, 'Retry');
    expect(profilesStore.getState().choice.profilePath).toBe(us.path);
  });
});
