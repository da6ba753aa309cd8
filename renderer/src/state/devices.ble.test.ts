import { describe, expect, it } from 'vitest';
import { describeError } from '../../../main/contract/errors';
import { device } from '../testing/samples';
import { createDevicesStore } from './devices';

const ble = (address: string, name: string, rssi: number) => ({ id: `ble:${address}`, transport: 'ble' as const, path: address, name, rssi, manual: false, state: 'idle' as const });

describe('devices slice: Bluetooth LE', () => {
  it('lists USB ports first, then BLE gateways by advertised name', () => {
    const store = createDevicesStore();
    store.getState().setAll([ble('c0:00:00:00:00:02', 'FL-B', -50), device('/dev/ttyACM1'), ble('c0:00:00:00:00:01', 'FL-C', -40), ble('c0:00:00:00:00:03', 'FL-A', -90)]);
    expect(store.getState().order).toEqual(['serial:/dev/ttyACM1', 'ble:c0:00:00:00:00:03', 'ble:c0:00:00:00:00:02', 'ble:c0:00:00:00:00:01']);
    // Keyed by address until a run reads the serial.
    expect(store.getState().byId['ble:c0:00:00:00:00:03']?.key).toBe('c0:00:00:00:00:03');
  });

  it('an RSSI update replaces one entry and leaves the id list and the other rows untouched', () => {
    const store = createDevicesStore();
    store.getState().setAll([ble('c0:00:00:00:00:01', 'FL-A', -60), ble('c0:00:00:00:00:02', 'FL-B', -70)]);
    const before = store.getState();
    store.getState().rssiChanged({ id: 'ble:c0:00:00:00:00:01', rssi: -48 });
    const after = store.getState();
    expect(after.order).toBe(before.order);
    expect(after.byId['ble:c0:00:00:00:00:02']).toBe(before.byId['ble:c0:00:00:00:00:02']);
    expect(after.byId['ble:c0:00:00:00:00:01']?.rssi).toBe(-48);
    // The same value, or an unknown device: nothing changes at all.
    store.getState().rssiChanged({ id: 'ble:c0:00:00:00:00:01', rssi: -48 });
    store.getState().rssiChanged({ id: 'ble:nope', rssi: -10 });
    expect(store.getState()).toBe(after);
  });

  it('keeps the scan state: under way, its result, or its error (the last result stays beside an error)', () => {
    const store = createDevicesStore();
    store.getState().bleScanStarted();
    expect(store.getState().bleScan).toEqual({ scanning: true });
    store.getState().bleScanDone({ count: 2, adapter: 'virtual', at: 't1' });
    expect(store.getState().bleScan).toEqual({ scanning: false, last: { count: 2, adapter: 'virtual', at: 't1' } });
    store.getState().bleScanStarted();
    const error = describeError('BLE_ADAPTER_OFF');
    store.getState().bleScanDone({ error });
    expect(store.getState().bleScan).toEqual({ scanning: false, last: { count: 2, adapter: 'virtual', at: 't1' }, error });
    store.getState().bleScanStarted();
    expect(store.getState().bleScan.error).toBeUndefined();
  });
});
