import { EventEmitter } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { FieldlineError } from '../../errors';
import { FakeBleBinding } from '../../testing/fake-ble-binding';
import { askForLargestMtu, loadNoble, resetNobleCache, systemLoadError } from './noble';

const errno = (code: string, message: string): NodeJS.ErrnoException => Object.assign(new Error(message), { code });

async function failure(p: Promise<unknown>): Promise<FieldlineError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(FieldlineError);
  return err as FieldlineError;
}

afterEach(() => resetNobleCache());

describe('loadNoble (system adapter)', () => {
  it('turns the EAFNOSUPPORT noble throws on a machine without Bluetooth into BLE_NO_ADAPTER, at once', async () => {
    const started = Date.now();
    const err = await failure(
      loadNoble('system', {
        loadSystem: () => {
          throw errno('EAFNOSUPPORT', 'EAFNOSUPPORT, Address family not supported by protocol');
        },
      }),
    );
    expect(err.code).toBe('BLE_NO_ADAPTER');
    expect(err.message).toContain('no Bluetooth adapter');
    expect(Date.now() - started).toBeLessThan(500);
  });

  it.each([
    ['ENODEV', 'ENODEV, No such device', 'BLE_NO_ADAPTER'],
    ['EPERM', 'EPERM, Operation not permitted', 'BLE_PERMISSION'],
    ['EACCES', 'EACCES, Permission denied', 'BLE_PERMISSION'],
  ])('maps %s from the HCI socket', async (code, message, expected) => {
    const err = await failure(
      loadNoble('system', {
        loadSystem: () => {
          throw errno(code, message);
        },
      }),
    );
    expect(err.code).toBe(expected);
  });

  it('maps a USB transport without a usable dongle to BLE_NO_ADAPTER', () => {
    expect(systemLoadError(new Error('No compatible USB Bluetooth 4.0 device found!')).code).toBe('BLE_NO_ADAPTER');
  });

  it.each([
    ['poweredOff', 'BLE_ADAPTER_OFF'],
    ['unauthorized', 'BLE_PERMISSION'],
    ['unsupported', 'BLE_NO_ADAPTER'],
  ] as const)('an adapter that reports %s fails with %s', async (state, code) => {
    const binding = new FakeBleBinding([], state);
    const err = await failure(loadNoble('system', { loadSystem: () => binding.noble() }));
    expect(err.code).toBe(code);
  });

  it('an adapter that never reports a state is treated as missing after the ready timeout', async () => {
    const binding = new FakeBleBinding([], 'silent');
    const err = await failure(loadNoble('system', { loadSystem: () => binding.noble(), readyTimeoutMs: 100 }));
    expect(err.code).toBe('BLE_NO_ADAPTER');
    expect(err.message).toContain('no Bluetooth adapter');
  });

  it('resolves with noble once the adapter is powered on', async () => {
    const binding = new FakeBleBinding([]);
    const noble = await loadNoble('system', { loadSystem: () => binding.noble() });
    expect((noble as unknown as { _state: string })._state).toBe('poweredOn');
  });
});

describe('loadNoble (virtual adapter)', () => {
  it('reports the binding’s own failure when no simulator listens', async () => {
    const binding = Object.assign(new EventEmitter(), {
      failure: new FieldlineError('BLE_VIRTUAL_UNREACHABLE', 'nothing listens on /tmp/nope.sock'),
      init(this: EventEmitter) {
        process.nextTick(() => this.emit('stateChange', 'unsupported'));
      },
    });
    const err = await failure(loadNoble('virtual', { socketPath: '/tmp/nope.sock', createVirtualBinding: () => binding }));
    expect(err.code).toBe('BLE_VIRTUAL_UNREACHABLE');
    expect(err.message).toContain('/tmp/nope.sock');
  });

  it('works through noble’s custom-binding seam', async () => {
    const fake = new FakeBleBinding([]);
    const noble = await loadNoble('virtual', { createVirtualBinding: () => Object.assign(fake, { failure: undefined }) });
    expect((noble as unknown as { _state: string })._state).toBe('poweredOn');
  });
});

describe('the ATT MTU noble asks for', () => {
  it('is raised from noble’s 256 to 517 in its HCI binding’s MTU exchange', async () => {
    const { createRequire } = await import('node:module');
    const require = createRequire(import.meta.url);
    const Gatt = require('@abandonware/noble/lib/hci-socket/gatt.js') as new (address: string, acl: EventEmitter) => { exchangeMtu(): void };
    const sent: string[] = [];
    const acl = Object.assign(new EventEmitter(), { write: (_cid: number, data: Buffer) => sent.push(data.toString('hex')) });
    new Gatt('c0:00:00:00:00:01', acl).exchangeMtu();
    expect(sent).toEqual(['020001']); // ATT_OP_MTU_REQ, 256 little-endian: noble's own choice
    askForLargestMtu(require);
    askForLargestMtu(require); // patched once, not twice
    new Gatt('c0:00:00:00:00:02', acl).exchangeMtu();
    expect(sent[1]).toBe('020502'); // 517
  });
});
