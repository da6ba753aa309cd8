/** The serial port lister: udevadm is checked once per lister, each lister checks for itself, a failure is not kept. */
import { describe, expect, it } from 'vitest';
import { FieldlineError } from '../errors';
import { createSerialPortLister } from './serial';

const raw = async () => [{ path: '/dev/ttyACM0', vendorId: '2FE3', productId: '0100', serialNumber: 'A1', manufacturer: 'ZEPHYR', locationId: undefined, pnpId: undefined }];

describe('createSerialPortLister', () => {
  it('checks for udevadm once per lister, not per listing, and maps the USB identity', async () => {
    let checks = 0;
    const lister = createSerialPortLister({ checkUdev: () => void (checks += 1), listRaw: raw, locate: async () => undefined });
    expect(await lister.list()).toEqual([{ path: '/dev/ttyACM0', vid: '2fe3', pid: '0100', serialNumber: 'A1', manufacturer: 'ZEPHYR' }]);
    await lister.list();
    await lister.list();
    expect(checks).toBe(1);
  });

  it('two listers do not share the check: each owner makes its own', async () => {
    const checked: string[] = [];
    const a = createSerialPortLister({ checkUdev: () => void checked.push('a'), listRaw: raw });
    const b = createSerialPortLister({ checkUdev: () => void checked.push('b'), listRaw: raw });
    await a.list();
    await b.list();
    await a.list();
    expect(checked).toEqual(['a', 'b']);
  });

  it('says UDEV_MISSING without udevadm, and checks again on the next listing (udevadm installed meanwhile)', async () => {
    let installed = false;
    let checks = 0;
    const lister = createSerialPortLister({
      checkUdev: () => {
        checks += 1;
        if (!installed) throw new Error('spawnSync udevadm ENOENT');
      },
      listRaw: raw,
    });
    const err = await lister.list().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FieldlineError);
    expect((err as FieldlineError).code).toBe('UDEV_MISSING');
    installed = true;
    expect(await lister.list()).toHaveLength(1);
    expect(checks).toBe(2);
  });

  it('gives each port its hub port path: serialport’s locationId, else what sysfs says (Linux)', async () => {
    const listRaw = async () => [
      { path: '/dev/ttyACM0', vendorId: '2FE3', productId: '0100', serialNumber: 'A1', manufacturer: undefined, locationId: undefined, pnpId: undefined },
      { path: 'COM4', vendorId: '2FE3', productId: '0100', serialNumber: 'A2', manufacturer: undefined, locationId: 'Port_#0002.Hub_#0001', pnpId: undefined },
    ];
    const lister = createSerialPortLister({ checkUdev: () => {}, listRaw, locate: async (path) => (path === '/dev/ttyACM0' ? '1-1.4' : undefined) });
    expect((await lister.list()).map((p) => p.location)).toEqual(['1-1.4', 'Port_#0002.Hub_#0001']);
  });
});
