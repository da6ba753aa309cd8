import { describe, expect, it } from 'vitest';
import { FieldlineError } from '../../errors';
import { FakeBleBinding } from '../../testing/fake-ble-binding';
import { findGateway, matchesSelector, scanGateways } from './scan';

const specs = [
  { address: 'C0:11:22:33:44:01', name: 'FL-00000001', rssi: -70, mtu: 247, reassembly: true },
  { address: 'c0:11:22:33:44:02', name: 'FL-00000002', rssi: -45, mtu: 247, reassembly: true },
  { address: 'c0:11:22:33:44:03', name: 'Heart-Rate', rssi: -30, mtu: 247, reassembly: true, advertisesSmp: false },
];

describe('BLE scan', () => {
  it('lists each SMP gateway once with its latest RSSI, strongest first, and leaves out other peripherals', async () => {
    const binding = new FakeBleBinding(specs);
    const updates: number[] = [];
    const found = await scanGateways(binding.noble(), { durationMs: 150, onUpdate: (g) => updates.push(g.rssi) });
    expect(found.map((g) => g.name)).toEqual(['FL-00000002', 'FL-00000001']);
    expect(found[0]).toMatchObject({ address: 'c0:11:22:33:44:02', id: 'c0112233440' + '2' });
    // Advertisements repeat every 20 ms: many updates, one entry per gateway.
    expect(updates.length).toBeGreaterThan(4);
    expect(Math.abs(found[0]!.rssi - -45)).toBeLessThanOrEqual(2);
    expect(binding.scanning).toBe(false);
  });

  it('finds a gateway by name or by address in any spelling', async () => {
    const binding = new FakeBleBinding(specs);
    const noble = binding.noble();
    expect((await findGateway(noble, 'FL-00000001', { timeoutMs: 1000 })).address).toBe('C0:11:22:33:44:01');
    expect((await findGateway(noble, 'C0-11-22-33-44-02', { timeoutMs: 1000 })).id).toBe('c01122334402');
    expect((await findGateway(noble, 'c01122334401', { timeoutMs: 1000 })).id).toBe('c01122334401');
  });

  it('names what it heard when the gateway is not there', async () => {
    const binding = new FakeBleBinding(specs);
    const err = await findGateway(binding.noble(), 'FL-DEADBEEF', { timeoutMs: 120 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FieldlineError);
    expect((err as FieldlineError).code).toBe('BLE_DEVICE_NOT_FOUND');
    expect((err as FieldlineError).message).toContain('FL-00000001');
    expect((err as FieldlineError).message).not.toContain('Heart-Rate');
  });

  it('shares the radio: two scans at once, and it stops after the last one', async () => {
    const binding = new FakeBleBinding(specs);
    const noble = binding.noble();
    const [a, b] = await Promise.all([scanGateways(noble, { durationMs: 80 }), findGateway(noble, 'FL-00000002', { timeoutMs: 1000 })]);
    expect(a).toHaveLength(2);
    expect(b.id).toBe('c01122334402');
    expect(binding.scanning).toBe(false);
  });

  it('matches selectors strictly', () => {
    const info = { id: 'c01122334401', address: 'c0:11:22:33:44:01', name: 'FL-00000001', rssi: -50 };
    expect(matchesSelector(info, 'fl-00000001')).toBe(true);
    expect(matchesSelector(info, 'C0:11:22:33:44:01')).toBe(true);
    expect(matchesSelector(info, 'c0:11:22:33:44')).toBe(false);
    expect(matchesSelector(info, '')).toBe(false);
  });
});
