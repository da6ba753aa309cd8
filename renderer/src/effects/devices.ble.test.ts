import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Device } from '../../../main/contract/api';
import { fail } from '../../../main/contract/result';
import { alertsStore } from '../state/alerts';
import { devicesStore } from '../state/devices';
import { profilesStore } from '../state/profiles';
import { createFakeApi, manualFrames, settle, type FakeApi } from '../testing/fake-api';
import { lineStore } from '../state/line';
import { resetStores } from '../testing/reset';
import { lineState, profileDetails, profileItem, RUN_A } from '../testing/samples';
import { BLE_SCAN_CONTEXT, provision, scanBle } from './devices';
import { startLine } from './line';
import { startEffects } from './start';

const eu = profileItem('gateway-eu.yaml');
const gw: Device = { id: 'ble:c0:11:22:33:44:55', transport: 'ble', path: 'c0:11:22:33:44:55', name: 'FL-0000000A', rssi: -52, manual: false, state: 'idle' };

let fake: FakeApi;
let stop: (() => void) | undefined;

beforeEach(async () => {
  resetStores();
  fake = createFakeApi({
    'devices:list': () => [],
    'profiles:list': () => [eu],
    'profiles:get': () => profileDetails(eu),
  });
  stop = startEffects(fake.api, { schedule: manualFrames().schedule });
  await settle();
  alertsStore.getState().clear();
});
afterEach(() => stop?.());

describe('Bluetooth scan effects', () => {
  it('scans, lists what the events and the answer bring, and shows the result; a second press while scanning is ignored', async () => {
    let answer: (() => void) | undefined;
    fake.handlers['devices:scan-ble'] = () =>
      new Promise((resolve) => {
        answer = () => resolve({ adapter: 'virtual', durationMs: 4000, devices: [{ ...gw, rssi: -50 }] });
      });
    const scanning = scanBle();
    expect(devicesStore.getState().bleScan.scanning).toBe(true);
    expect(await scanBle()).toBe(false);
    await settle();
    // Heard during the scan: the row appears before the answer, and its signal moves.
    fake.emit('device:attached', gw);
    fake.emit('device:rssi', { id: gw.id, rssi: -61 });
    expect(devicesStore.getState().byId[gw.id]).toMatchObject({ name: 'FL-0000000A', rssi: -61 });
    answer?.();
    expect(await scanning).toBe(true);
    expect(fake.calls.filter((c) => c.method === 'devices:scan-ble')).toHaveLength(1);
    expect(devicesStore.getState().order).toEqual([gw.id]);
    expect(devicesStore.getState().byId[gw.id]?.rssi).toBe(-50);
    expect(devicesStore.getState().bleScan).toMatchObject({ scanning: false, last: { count: 1, adapter: 'virtual' } });
    expect(alertsStore.getState().alerts).toEqual([]);
  });

  it('no adapter: the message and the fix, in the scan panel and in the alert region', async () => {
    fake.handlers['devices:scan-ble'] = () => fail('BLE_NO_ADAPTER', 'this machine has no Bluetooth adapter the system can use (EAFNOSUPPORT)');
    expect(await scanBle(2000)).toBe(false);
    expect(fake.calls.find((c) => c.method === 'devices:scan-ble')?.args).toEqual([{ durationMs: 2000 }]);
    const error = devicesStore.getState().bleScan.error;
    expect(error?.code).toBe('BLE_NO_ADAPTER');
    expect(error?.message).toMatch(/^No Bluetooth adapter/);
    expect(error?.hint).toMatch(/virtual/);
    expect(alertsStore.getState().alerts.map((a) => [a.context, a.error.code])).toEqual([[BLE_SCAN_CONTEXT, 'BLE_NO_ADAPTER']]);
    // A scan that works afterwards clears the alert.
    fake.handlers['devices:scan-ble'] = () => ({ adapter: 'system', durationMs: 4000, devices: [] });
    expect(await scanBle()).toBe(true);
    expect(alertsStore.getState().alerts).toEqual([]);
    expect(devicesStore.getState().bleScan.error).toBeUndefined();
  });

  it('a BLE gateway is provisioned with the same one click as a USB one', async () => {
    fake.handlers['devices:scan-ble'] = () => ({ adapter: 'virtual', durationMs: 4000, devices: [gw] });
    fake.handlers['provision:start'] = () => ({ runId: RUN_A });
    await scanBle();
    await settle();
    expect(profilesStore.getState().choice.profilePath).toBe(eu.path);
    expect(await provision(gw.id)).toBe(RUN_A);
    expect(fake.calls.find((c) => c.method === 'provision:start')?.args[0]).toMatchObject({ deviceId: gw.id, profilePath: eu.path });
  });

  it('the line takes Bluetooth gateways only when asked', async () => {
    const sent: unknown[] = [];
    fake.handlers['line:start'] = (request) => {
      sent.push(request);
      return lineState({ running: true, ...(request.ble ? { ble: true } : {}) });
    };
    expect(await startLine()).toBe(true);
    fake.handlers['line:start'] = (request) => {
      sent.push(request);
      return lineState({ running: true, ble: true });
    };
    lineStore.getState().choose({ ble: true });
    expect(await startLine()).toBe(true);
    expect(sent.map((r) => (r as { ble?: boolean }).ble)).toEqual([undefined, true]);
    expect(lineStore.getState().status?.ble).toBe(true);
  });
});
