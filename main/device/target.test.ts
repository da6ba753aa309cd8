import { describe, expect, it } from 'vitest';
import { FieldlineError } from '../errors';
import { targetFromFlags } from './target';

describe('targetFromFlags', () => {
  it('--port is a serial target with its baud rate', () => {
    expect(targetFromFlags({ port: '/dev/ttyACM0', baud: 9600 }, {})).toEqual({ kind: 'serial', path: '/dev/ttyACM0', baudRate: 9600 });
  });

  it('--ble uses --ble-adapter, else FIELDLINE_BLE_ADAPTER, else the system adapter', () => {
    expect(targetFromFlags({ ble: 'FL-00000001' }, {})).toEqual({ kind: 'ble', selector: 'FL-00000001', adapter: 'system' });
    expect(targetFromFlags({ ble: 'FL-00000001' }, { FIELDLINE_BLE_ADAPTER: 'virtual' })).toMatchObject({ adapter: 'virtual' });
    expect(targetFromFlags({ ble: 'c0:01:02:03:04:05', bleAdapter: 'system', bleSocket: '/tmp/s.sock' }, { FIELDLINE_BLE_ADAPTER: 'virtual' })).toEqual({
      kind: 'ble',
      selector: 'c0:01:02:03:04:05',
      adapter: 'system',
      socketPath: '/tmp/s.sock',
    });
  });

  it.each([
    [{}, /--port <path>.*--ble <address\|name>/],
    [{ port: '/dev/ttyACM0', ble: 'FL-1' }, /not both/],
    [{ ble: 'FL-1', bleAdapter: 'bluez' }, /not one of: system, virtual/],
  ])('refuses %j', (flags, message) => {
    const err = (() => {
      try {
        targetFromFlags(flags, {});
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(FieldlineError);
    expect((err as FieldlineError).code).toBe('INVALID_ARGUMENT');
    expect((err as FieldlineError).message).toMatch(message);
  });
});
