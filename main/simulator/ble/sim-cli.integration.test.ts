/** `fieldline sim --ble` as a separate process, through the shared spawnSimulator helper, reached with the real noble. */
import { lstat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { Characteristic, Peripheral } from '@abandonware/noble';
import type { Noble } from '@abandonware/noble/with-bindings';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../log';
import { runFieldline } from '../../testing/cli';
import { spawnSimulator } from '../../testing/sim-process';
import { createVirtualBinding, type VirtualBinding } from '../../transport/ble/virtual/binding';
import { SMP_CHARACTERISTIC_UUID, SMP_SERVICE_UUID } from '../../transport/ble/uuids';
import { decodePacket, encodePacket, Op } from '../../smp/header';
import { decodeCbor } from '../../smp/cbor';
import { MGMT_RC } from '../../smp/error-codes';

const withBindings = createRequire(import.meta.url)('@abandonware/noble/with-bindings') as (b: VirtualBinding) => Noble;

describe('fieldline sim --ble', () => {
  it('prints {serial,name,address,transport,socket} per gateway and serves them on that socket until SIGTERM', async () => {
    const sim = await spawnSimulator({ count: 2, ble: { mtu: 247, reassembly: false }, extra: ['--delay', 'reboot=0'] });
    const binding = createVirtualBinding({ socketPath: sim.socketPath ?? '', logger: silentLogger });
    try {
      expect(sim.gateways.map((g) => [g.serial, g.name, g.transport])).toEqual([
        ['F1E1D00000000001', 'FL-00000001', 'ble'],
        ['F1E1D00000000002', 'FL-00000002', 'ble'],
      ]);
      expect(sim.gateways[0]!.address).toMatch(/^c0(:[0-9a-f]{2}){5}$/);
      expect(sim.gateways[0]!.port).toBe(sim.gateways[0]!.address);
      expect(sim.socketPath).toBeDefined();
      expect((await lstat(sim.socketPath!)).isSocket()).toBe(true);

      const noble = withBindings(binding);
      await new Promise<void>((resolve) => noble.on('stateChange', (s: string) => s === 'poweredOn' && resolve()));
      const found = new Promise<Peripheral>((resolve) =>
        noble.on('discover', (p: Peripheral) => p.address === sim.gateways[1]!.address && resolve(p)),
      );
      await noble.startScanningAsync([SMP_SERVICE_UUID], false);
      const p = await found;
      await noble.stopScanningAsync();
      expect(p.advertisement.localName).toBe('FL-00000002');
      await (p.connectAsync as unknown as (o: { mtu: number }) => Promise<void>).call(p, { mtu: 517 });
      expect(p.mtu).toBe(247); // --mtu 247
      const { characteristics } = await p.discoverSomeServicesAndCharacteristicsAsync([SMP_SERVICE_UUID], [SMP_CHARACTERISTIC_UUID]);
      const c = characteristics[0] as Characteristic;
      await c.subscribeAsync();
      const reply = new Promise<Buffer>((resolve) => c.once('data', resolve));
      // MCUmgr params: --no-reassembly makes the device answer ENOTSUP.
      c.write(Buffer.from(encodePacket({ op: Op.Read, version: 1, flags: 0, group: 0, sequence: 1, command: 6 }, new Uint8Array([0xa0]))), true);
      const body = decodeCbor(decodePacket(new Uint8Array(await reply)).body).value;
      expect(body).toEqual({ rc: MGMT_RC.ENOTSUP });
    } finally {
      binding.close();
      expect(await sim.stop()).toBe(0);
    }
    await expect(lstat(sim.socketPath!)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('refuses BLE-only flags without --ble', async () => {
    const r = await runFieldline(['sim', '--mtu', '247', '--no-reassembly', '--json'], {}, 20_000);
    expect(r.code).toBe(2);
    expect(r.stdout).toContain('--mtu, --no-reassembly apply only to BLE gateways');
  });

  it('refuses --baud with --ble instead of ignoring it', async () => {
    const r = await runFieldline(['sim', '--ble', '--baud', '9600', '--json'], {}, 20_000);
    expect(r.code).toBe(2);
    expect(r.stdout).toContain('--baud applies only to serial gateways');
  });
});
