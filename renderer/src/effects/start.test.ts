import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ConnectionState } from '../bridge/web';
import { fail } from '../../../main/contract/result';
import { alertsStore } from '../state/alerts';
import { devicesStore } from '../state/devices';
import { navStore } from '../state/nav';
import { profilesStore } from '../state/profiles';
import { queueStore } from '../state/queue';
import { runsStore } from '../state/runs';
import { settingsStore } from '../state/settings';
import { stationStore } from '../state/station';
import { createFakeApi, manualFrames, settle, type FakeApi } from '../testing/fake-api';
import { resetStores } from '../testing/reset';
import { device, lineState, profileDetails, profileItem, queueStatus, RUN_A, runRecord, settings, stationStatus } from '../testing/samples';
import { provision } from './devices';
import { retryRun } from './runs';
import { startEffects } from './start';

const eu = profileItem('gateway-eu.yaml');

function station(): FakeApi {
  return createFakeApi({
    'app:version': () => ({ name: 'fieldline', version: '0.1.0' }),
    'station:status': () => stationStatus(),
    'devices:list': () => [device('/dev/pts/3'), device('/dev/pts/4')],
    'profiles:list': () => [eu],
    'profiles:get': () => profileDetails(eu),
    'queue:status': () => queueStatus({ pending: 2 }),
    'settings:get': () => settings({ tokenSet: true }),
    'provision:start': () => ({ runId: RUN_A }),
    'runs:get': ({ runId }) => runRecord(runId),
    'runs:log': () => ({ lines: [], dropped: 0 }),
    'runs:list': () => [],
    'line:state': () => lineState(),
  });
}

let stop: (() => void) | undefined;

beforeEach(() => resetStores());
afterEach(() => {
  stop?.();
  stop = undefined;
});

describe('effects', () => {
  it('loads every slice at start and subscribes once to every event it shows', async () => {
    const fake = station();
    stop = startEffects(fake.api, { schedule: manualFrames().schedule });
    await settle();
    expect(devicesStore.getState().order).toEqual(['serial:/dev/pts/3', 'serial:/dev/pts/4']);
    expect(profilesStore.getState().choice.profilePath).toBe(eu.path);
    expect(profilesStore.getState().details[eu.path]).toBeDefined();
    expect(queueStore.getState().status?.pending).toBe(2);
    expect(settingsStore.getState().settings?.tokenSet).toBe(true);
    expect(stationStore.getState().app?.version).toBe('0.1.0');
    expect(fake.listenerCount('run:progress')).toBe(1);
    expect(fake.listenerCount('device:attached')).toBe(1);
    stop();
    stop = undefined;
    expect(fake.listenerCount('run:progress')).toBe(0);
    expect(fake.listenerCount('queue:state')).toBe(0);
  });

  it('two clicks: the preselected profile, then Provision on a row, starts a run with it', async () => {
    const fake = station();
    stop = startEffects(fake.api, { schedule: manualFrames().schedule });
    await settle();
    const runId = await provision('serial:/dev/pts/3');
    expect(runId).toBe(RUN_A);
    const call = fake.calls.find((c) => c.method === 'provision:start');
    expect(call?.args).toEqual([{ deviceId: 'serial:/dev/pts/3', profilePath: eu.path, variables: {} }]);
    expect(runsStore.getState().byId[RUN_A]?.deviceId).toBe('serial:/dev/pts/3');
    expect(devicesStore.getState().starting).toEqual({});
  });

  it('Retry repeats the request the run was started with', async () => {
    const fake = station();
    stop = startEffects(fake.api, { schedule: manualFrames().schedule });
    await settle();
    profilesStore.getState().setVariable(eu.path, 'site', 'ABC-9');
    await provision('serial:/dev/pts/4');
    profilesStore.getState().setVariable(eu.path, 'site', 'XYZ-1');
    await retryRun(RUN_A);
    const starts = fake.calls.filter((c) => c.method === 'provision:start').map((c) => c.args[0]);
    expect(starts).toEqual([
      { deviceId: 'serial:/dev/pts/4', profilePath: eu.path, variables: { site: 'ABC-9' } },
      { deviceId: 'serial:/dev/pts/4', profilePath: eu.path, variables: { site: 'ABC-9' } },
    ]);
  });

  it('a refused call shows the contract words and hint in the alert region', async () => {
    const fake = station();
    fake.handlers['provision:start'] = () => fail('CA_LOCKED');
    stop = startEffects(fake.api, { schedule: manualFrames().schedule });
    await settle();
    expect(await provision('serial:/dev/pts/3')).toBeUndefined();
    const [alert] = alertsStore.getState().alerts;
    expect(alert).toMatchObject({ context: 'Provision /dev/pts/3', error: { code: 'CA_LOCKED', message: 'The station CA is locked' } });
    expect(alert?.error.hint).toMatch(/unlock it in Settings/);
  });

  it('run events reach the store once per frame; other events at once', async () => {
    const fake = station();
    const frames = manualFrames();
    stop = startEffects(fake.api, { schedule: frames.schedule });
    await settle();
    const applied: number[] = [];
    const unsub = runsStore.subscribe(() => applied.push(1));
    fake.emit('run:started', { runId: RUN_A, deviceId: 'serial:/dev/pts/3', profile: { name: 'gateway-eu', version: '1' }, startedAt: 'now' });
    for (let i = 1; i <= 20; i += 1) fake.emit('run:progress', { runId: RUN_A, step: 'firmware', op: 'image upload', done: i, total: 20, bytesPerSecond: 7000, etaSeconds: 20 - i });
    fake.emit('device:state', { id: 'serial:/dev/pts/3', state: 'provisioning', lastRunId: RUN_A });
    expect(devicesStore.getState().byId['serial:/dev/pts/3']?.state).toBe('provisioning');
    expect(applied).toHaveLength(0);
    frames.frame();
    expect(applied).toHaveLength(1);
    expect(runsStore.getState().byId[RUN_A]?.steps.firmware).toMatchObject({ state: 'running', fraction: 1, bytesPerSecond: 7000 });
    unsub();
  });

  it('re-reads the record of the run on screen when it finishes (rollback, certificate)', async () => {
    const fake = station();
    const frames = manualFrames();
    stop = startEffects(fake.api, { schedule: frames.schedule });
    await settle();
    navStore.getState().setRoute({ screen: 'run', runId: RUN_A });
    await settle();
    const reads = (): number => fake.calls.filter((c) => c.method === 'runs:get').length;
    expect(reads()).toBe(1);
    fake.emit('run:finished', { runId: RUN_A, deviceId: 'serial:/dev/pts/3', outcome: 'passed' });
    await settle();
    expect(reads()).toBe(2);
    expect(runsStore.getState().records[RUN_A]?.outcome).toBe('passed');
  });

  it('over a WebSocket: loads when the connection opens, and again after it comes back', async () => {
    const fake = station();
    let listener: ((s: ConnectionState) => void) | undefined;
    stop = startEffects(fake.api, {
      schedule: manualFrames().schedule,
      connection: { current: () => 'connecting', onChange: (l) => ((listener = l), () => (listener = undefined)) },
    });
    await settle();
    const lists = (): number => fake.calls.filter((c) => c.method === 'devices:list').length;
    expect(lists()).toBe(0);
    listener?.('open');
    await settle();
    expect(lists()).toBe(1);
    listener?.('closed');
    expect(stationStore.getState().connection).toBe('closed');
    listener?.('open');
    await settle();
    expect(lists()).toBe(2);
  });
});
