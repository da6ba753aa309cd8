import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fail } from '../../../main/contract/result';
import { alertsStore } from '../state/alerts';
import { devicePageStore } from '../state/device-page';
import { navStore } from '../state/nav';
import { createFakeApi, manualFrames, settle, type FakeApi } from '../testing/fake-api';
import { resetStores } from '../testing/reset';
import { device, RUN_A, RUN_B } from '../testing/samples';
import { inspection, serviceResult } from '../testing/service-samples';
import { inspectDevice, runServiceAction } from './device-page';
import { startEffects } from './start';

const ID = 'serial:/dev/pts/3';
const drifted = inspection({}, [{ kind: 'setting', name: 'fieldline/max_peers', expected: '8', actual: '3', fixable: true }]);

let fake: FakeApi;
let stop: (() => void) | undefined;

beforeEach(async () => {
  resetStores();
  fake = createFakeApi({ 'devices:list': () => [device('/dev/pts/3')], 'profiles:list': () => [], 'service:inspect': () => drifted });
  stop = startEffects(fake.api, { schedule: manualFrames().schedule });
  await settle();
});
afterEach(() => stop?.());

describe('device page effects', () => {
  it('entering the page reads the device', async () => {
    navStore.getState().setRoute({ screen: 'device', deviceId: ID });
    await settle();
    expect(fake.calls.filter((c) => c.method === 'service:inspect').map((c) => c.args)).toEqual([[{ deviceId: ID }]]);
    expect(devicePageStore.getState()).toMatchObject({ deviceId: ID, inspecting: false, inspection: { serial: 'GW-1' } });
  });

  it('remediate answers with its service record, and the device is read again so the timeline shows it', async () => {
    await inspectDevice(ID);
    const record = { runId: RUN_B, source: 'store', startedAt: 't', endedAt: 't', outcome: 'passed', station: 'st', profile: { name: 'gateway-eu', version: '1.0.0' } } as const;
    fake.handlers['service:remediate'] = () => serviceResult('remediate', { fixed: drifted.drift.provisioned?.differences ?? [], remaining: [] });
    fake.handlers['service:inspect'] = () => inspection({ history: [{ ...record, service: { action: 'remediate', operator: 'ana' } }, ...inspection().history] });
    await runServiceAction('remediate');
    expect(fake.calls.filter((c) => c.method === 'service:remediate').map((c) => c.args)).toEqual([[{ deviceId: ID }]]);
    const page = devicePageStore.getState();
    expect(page.lastResult).toMatchObject({ action: 'remediate', record: { id: RUN_B } });
    expect(page.running).toBeUndefined();
    expect(page.inspection?.history.map((h) => [h.runId, h.service?.action])).toEqual([
      [RUN_B, 'remediate'],
      [RUN_A, undefined],
    ]);
  });

  it('one action at a time, and a refused one is an alert in words', async () => {
    await inspectDevice(ID);
    let release: () => void = () => {};
    fake.handlers['service:diagnose'] = () => new Promise((resolve) => (release = () => resolve(serviceResult('diagnose'))));
    const first = runServiceAction('diagnose');
    await settle();
    await runServiceAction('renew');
    expect(fake.calls.some((c) => c.method === 'service:renew')).toBe(false);
    release();
    await first;

    fake.handlers['service:renew'] = () => fail('CA_LOCKED');
    await runServiceAction('renew');
    expect(alertsStore.getState().alerts.at(-1)).toMatchObject({ context: 'Renew certificate', error: { code: 'CA_LOCKED' } });
    expect(devicePageStore.getState().running).toBeUndefined();
  });

  it('a gateway connected while the Service visit screen is open opens its page; one listed before does not', async () => {
    navStore.getState().setRoute({ screen: 'drift' });
    await settle();
    fake.emit('device:attached', device('/dev/pts/3'));
    expect(navStore.getState().route).toEqual({ screen: 'drift' });
    fake.emit('device:attached', device('/dev/pts/7'));
    expect(navStore.getState().route).toEqual({ screen: 'device', deviceId: 'serial:/dev/pts/7' });
    await settle();
    expect(devicePageStore.getState().inspection?.serial).toBe('GW-1');

    navStore.getState().setRoute({ screen: 'devices' });
    fake.emit('device:attached', device('/dev/pts/8'));
    expect(navStore.getState().route).toEqual({ screen: 'devices' });
  });

  it('an answer about a device the page left is not shown on the next one', async () => {
    let release: () => void = () => {};
    fake.handlers['service:inspect'] = ({ deviceId }) =>
      deviceId === ID ? new Promise((resolve) => (release = () => resolve(drifted))) : inspection({ deviceId, serial: 'GW-2' });
    const first = inspectDevice(ID);
    await settle();
    await inspectDevice('serial:/dev/pts/4');
    release();
    await first;
    expect(devicePageStore.getState()).toMatchObject({ deviceId: 'serial:/dev/pts/4', inspection: { serial: 'GW-2' } });
  });
});
