import { describe, expect, it } from 'vitest';
import { device } from '../testing/samples';
import { createDevicesStore } from './devices';

describe('devices slice', () => {
  it('keeps devices by id with ids sorted by path, numbers in order', () => {
    const store = createDevicesStore();
    store.getState().setAll([device('/dev/ttyACM10'), device('/dev/ttyACM2'), device('/dev/ttyACM1')]);
    expect(store.getState().order).toEqual(['serial:/dev/ttyACM1', 'serial:/dev/ttyACM2', 'serial:/dev/ttyACM10']);
    expect(store.getState().loaded).toBe(true);
  });

  it('adds and removes devices as they appear and vanish', () => {
    const store = createDevicesStore();
    store.getState().attached(device('/dev/b'));
    store.getState().attached(device('/dev/a'));
    expect(store.getState().order).toEqual(['serial:/dev/a', 'serial:/dev/b']);
    store.getState().setStarting('serial:/dev/a', true);
    store.getState().detached('serial:/dev/a');
    expect(store.getState().order).toEqual(['serial:/dev/b']);
    expect(store.getState().byId['serial:/dev/a']).toBeUndefined();
    expect(store.getState().starting['serial:/dev/a']).toBeUndefined();
  });

  it('a state change replaces one entry and leaves the id list (what the list renders) untouched', () => {
    const store = createDevicesStore();
    store.getState().setAll([device('/dev/a'), device('/dev/b')]);
    const before = store.getState();
    store.getState().stateChanged({ id: 'serial:/dev/a', state: 'provisioning', lastRunId: 'r1' });
    const after = store.getState();
    expect(after.order).toBe(before.order);
    expect(after.byId['serial:/dev/b']).toBe(before.byId['serial:/dev/b']);
    expect(after.byId['serial:/dev/a']).toMatchObject({ state: 'provisioning', lastRunId: 'r1' });
  });

  it('keys a row by the serial known when it appeared, else its path, and keeps that key', () => {
    const store = createDevicesStore();
    store.getState().attached(device('/dev/pts/3'));
    store.getState().attached(device('/dev/ttyUSB0', { serial: 'USB123', manual: false }));
    store.getState().stateChanged({ id: 'serial:/dev/pts/3', state: 'provisioning', serial: 'GW-42' });
    const pty = store.getState().byId['serial:/dev/pts/3'];
    expect(pty?.key).toBe('/dev/pts/3');
    expect(pty?.serial).toBe('GW-42');
    expect(store.getState().byId['serial:/dev/ttyUSB0']?.key).toBe('USB123');
    // A re-read of the list (after a reconnection) keeps the key too.
    store.getState().setAll([device('/dev/pts/3', { serial: 'GW-42' })]);
    expect(store.getState().byId['serial:/dev/pts/3']?.key).toBe('/dev/pts/3');
  });

  it('ignores state changes of unknown devices and repeated starting flags', () => {
    const store = createDevicesStore();
    const before = store.getState();
    store.getState().stateChanged({ id: 'nope', state: 'failed' });
    store.getState().setStarting('nope', false);
    expect(store.getState()).toBe(before);
  });
});
