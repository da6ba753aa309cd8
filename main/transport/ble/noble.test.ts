import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { FieldlineError } from '../../errors';
import { FakeBleBinding } from '../../testing/fake-ble-binding';
import { askForLargestMtu, createBleRadios, systemLoadError, type LoadNobleOptions } from './noble';

const errno = (code: string, message: string): NodeJS.ErrnoException => Object.assign(new Error(message), { code });

async function failure(p: Promise<unknown>): Promise<FieldlineError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(FieldlineError);
  return err as FieldlineError;
}

/** Each test loads through radios of its own: nothing loaded by one test is seen by another. */
const loadNoble = (choice: 'system' | 'virtual', options: LoadNobleOptions) => createBleRadios().load(choice, options);

describe('radios.load (system adapter)', () => {
  it('turns the EAFNOSUPPORT noble throws on a machine without Bluetooth into BLE_NO_ADAPTER, at once', async () => {
    const err = await failure(
      loadNoble('system', {
        loadSystem: () => {
          throw errno('EAFNOSUPPORT', 'EAFNOSUPPORT, Address family not supported by protocol');
        },
      }),
    );
    expect(err.code).toBe('BLE_NO_ADAPTER');
    // "At once" is the cause, not a stopwatch (one under load fails a CI): the load error itself answered, naming
    // its errno — not the 5 s wait for the adapter's state, whose BLE_NO_ADAPTER says "reported ready within".
    expect(err.message).toBe('this machine has no Bluetooth adapter the system can use (EAFNOSUPPORT)');
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

describe('radios.load (virtual adapter)', () => {
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

/** A virtual binding that says whether it was closed (what release() does to a binding it can close). */
function closableBinding(): FakeBleBinding & { failure: undefined; closed: boolean; close(): void } {
  return Object.assign(new FakeBleBinding([]), {
    failure: undefined,
    closed: false,
    close(this: { closed: boolean }) {
      this.closed = true;
    },
  });
}

describe('BLE radios: the noble instances one owner has loaded', () => {
  it('loads once per adapter choice and shares the instance with every later caller of the same owner', async () => {
    const radios = createBleRadios();
    let made = 0;
    const options = {
      createVirtualBinding: () => {
        made += 1;
        return closableBinding();
      },
    };
    const first = await radios.load('virtual', options);
    expect(await radios.load('virtual', options)).toBe(first);
    expect(made).toBe(1);
    await radios.release();
  });

  it('two owners do not share a loaded noble, and releasing one leaves the other usable', async () => {
    const bindings: ReturnType<typeof closableBinding>[] = [];
    const options = {
      createVirtualBinding: () => {
        const binding = closableBinding();
        bindings.push(binding);
        return binding;
      },
    };
    const a = createBleRadios();
    const b = createBleRadios();
    const nobleA = await a.load('virtual', options);
    const nobleB = await b.load('virtual', options);
    expect(nobleB).not.toBe(nobleA);
    expect(bindings).toHaveLength(2);

    await a.release();
    expect(bindings.map((binding) => binding.closed)).toEqual([true, false]);
    // b still holds its instance: same noble, still powered on, and it still scans.
    expect(await b.load('virtual', options)).toBe(nobleB);
    expect(bindings).toHaveLength(2);
    const scanned = new Promise<void>((resolve) => nobleB.once('scanStart', () => resolve()));
    await nobleB.startScanningAsync([], false);
    await scanned;
    // a, released, loads afresh on its next use.
    expect(await a.load('virtual', options)).not.toBe(nobleA);
    expect(bindings).toHaveLength(3);
    await a.release();
    await b.release();
    expect(bindings.map((binding) => binding.closed)).toEqual([true, true, true]);
  });

  it('does not keep a failed load: the next load tries again', async () => {
    const radios = createBleRadios();
    let attempts = 0;
    const loadSystem = () => {
      attempts += 1;
      if (attempts === 1) throw errno('ENODEV', 'ENODEV, No such device');
      return new FakeBleBinding([]).noble();
    };
    await failure(radios.load('system', { loadSystem }));
    const noble = await radios.load('system', { loadSystem });
    expect((noble as unknown as { _state: string })._state).toBe('poweredOn');
    expect(attempts).toBe(2);
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
