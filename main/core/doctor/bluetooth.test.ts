/** Bluetooth adapter and raw-HCI capability checks, faked both ways. */
import { describe, expect, it } from 'vitest';
import { healthyProbes } from '../../testing/doctor-probes';
import { bluetoothChecks } from './bluetooth';
import type { BluetoothProbes } from './probes';

const check = async (id: string, overrides: Partial<BluetoothProbes> = {}) => {
  const found = bluetoothChecks(healthyProbes(overrides)).find((c) => c.id === id);
  if (!found) throw new Error(`no check ${id}`);
  return found.run();
};

describe('bluetooth checks', () => {
  it('pass with a powered adapter and both capabilities', async () => {
    expect(await check('bluetooth.adapter')).toMatchObject({ status: 'pass', found: 'hci0 present and powered' });
    expect((await check('bluetooth.capabilities')).status).toBe('pass');
  });

  it('warn without an adapter, or with one powered off', async () => {
    expect((await check('bluetooth.adapter', { bluetoothAdapters: async () => [] })).found).toContain('no Bluetooth adapter');
    const off = await check('bluetooth.adapter', { bluetoothAdapters: async () => [{ name: 'hci0', powered: false }] });
    expect(off).toMatchObject({ status: 'warn', found: 'hci0 is powered off' });
    expect(off.fix).toContain('rfkill unblock bluetooth');
  });

  it('warns when the process lacks CAP_NET_RAW, with the setcap line — root without it included', async () => {
    const r = await check('bluetooth.capabilities', { capabilities: async () => ({ root: true, netRaw: false, netAdmin: true }) });
    expect(r.status).toBe('warn');
    expect(r.found).toContain('CAP_NET_RAW');
    expect(r.found).not.toContain('CAP_NET_ADMIN');
    expect(r.fix).toContain('setcap cap_net_raw,cap_net_admin+eip');
  });

  it('is not checked on other systems', async () => {
    expect((await check('bluetooth.adapter', { platform: async () => 'darwin' })).status).toBe('skip');
  });
});
