import { describe, expect, it } from 'vitest';
import { inspection } from '../testing/service-samples';
import { actionBlocked, createDevicePageStore } from './device-page';

describe('device page state', () => {
  it('drops what was read of a device the page no longer shows', () => {
    const store = createDevicePageStore();
    store.getState().open('serial:/dev/pts/3');
    store.getState().setInspecting('serial:/dev/pts/3', true);
    store.getState().open('serial:/dev/pts/4');
    expect(store.getState()).toMatchObject({ deviceId: 'serial:/dev/pts/4', inspecting: false, inspection: undefined });
    store.getState().inspected('serial:/dev/pts/3', inspection());
    store.getState().setRunning('serial:/dev/pts/3', 'renew');
    expect(store.getState()).toMatchObject({ inspection: undefined, running: undefined });
    store.getState().inspected('serial:/dev/pts/4', inspection({ serial: 'GW-4' }));
    expect(store.getState().inspection?.serial).toBe('GW-4');
  });

  it('reopening the same device keeps what it shows', () => {
    const store = createDevicePageStore();
    store.getState().open('serial:/dev/pts/3');
    store.getState().inspected('serial:/dev/pts/3', inspection());
    store.getState().showTab('console');
    store.getState().open('serial:/dev/pts/3');
    expect(store.getState()).toMatchObject({ tab: 'console', inspection: { serial: 'GW-1' } });
  });

  it('offers an action only when it has something to do', () => {
    const clean = inspection();
    expect(actionBlocked('diagnose', clean)).toBeUndefined();
    expect(actionBlocked('remediate', clean)).toBe('nothing to write back');
    expect(actionBlocked('update', clean)).toBe('no newer firmware released');
    expect(actionBlocked('renew', clean)).toBeUndefined();

    const drifted = inspection({}, [{ kind: 'setting', name: 'fieldline/max_peers', expected: '8', actual: '3', fixable: true }]);
    expect(actionBlocked('remediate', drifted)).toBeUndefined();
    const released = inspection({ release: { name: 'gateway-eu', version: '2.0.0', firmware: '1.1.0' }, todos: [{ kind: 'firmware', message: 'firmware 1.0.0 → 1.1.0 released', action: 'update' }] });
    expect(actionBlocked('update', released)).toBeUndefined();
    expect(actionBlocked('renew', inspection({ identity: null }))).toBe('no certificate on the device');
    expect(actionBlocked('diagnose', inspection({ basis: null }))).toBe('no provisioning run of this device is known');
  });
});
