/**
 * GatewaySession over BLE with the real noble and BleTransport, against the fake binding's scripted gateways: the
 * sizes the client writes, reassembly of notifications, the errors a technician sees, and reconnect-and-resume.
 */
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { FieldlineError } from '../errors';
import { BlePacketDecoder } from '../smp/ble-segmentation';
import { echo } from '../smp/groups/os';
import { uploadImage } from '../smp/groups/image';
import { HEADER_SIZE, decodeHeader } from '../smp/header';
import { FakeBleBinding, type FakeGatewaySpec } from '../testing/fake-ble-binding';
import { createBleRadios } from '../transport/ble/noble';
import { GatewaySession, type BleSessionOptions } from './session';
import { openTarget } from './target';

const ADDRESS = 'c0:00:00:00:00:01';
const sessions: GatewaySession[] = [];

async function open(spec: Partial<FakeGatewaySpec>, extra: Partial<BleSessionOptions> = {}): Promise<{ binding: FakeBleBinding; session: GatewaySession }> {
  const binding = new FakeBleBinding([{ address: ADDRESS, name: 'FL-00000001', mtu: 247, reassembly: true, ...spec }]);
  const noble = binding.noble();
  const session = await GatewaySession.openBle({
    selector: 'FL-00000001',
    adapter: 'system',
    // Each session its own radios, as each CLI command has: what one test loaded is never seen by another.
    radios: createBleRadios(),
    noble: { loadSystem: () => noble },
    scanTimeoutMs: 1000,
    timeoutMs: 500,
    ...extra,
  });
  sessions.push(session);
  return { binding, session };
}

async function failure(p: Promise<unknown>): Promise<FieldlineError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(FieldlineError);
  return err as FieldlineError;
}

/** Packets as the device received them, rebuilt from the recorded writes. */
function packetsOf(writes: Buffer[]): Uint8Array[] {
  const packets: Uint8Array[] = [];
  const decoder = new BlePacketDecoder({ onPacket: (p) => packets.push(p) });
  for (const w of writes) decoder.push(w);
  return packets;
}

afterEach(async () => {
  for (const s of sessions.splice(0)) await s.close().catch(() => {});
});

describe('GatewaySession over BLE', () => {
  it('connects with the negotiated MTU and learns about reassembly from MCUmgr params', async () => {
    const { session } = await open({ mtu: 498, reassembly: true, bufSize: 2475, bufCount: 4 });
    expect(session.transport.kind).toBe('ble');
    expect(session.transport.mtu).toBe(498);
    expect(session.location).toBe(ADDRESS);
    expect(session.deviceReassembly).toBe(true);
    expect(await session.buffers()).toEqual({ bufSize: 2475, bufCount: 4 });
  });

  it.each([
    ['cut at MTU − 3', undefined],
    ['cut at odd places', 7],
  ])('reassembles a reply longer than the MTU from its notifications (%s)', async (_label, notificationSize) => {
    const { session } = await open({ mtu: 23, reassembly: true, ...(notificationSize ? { notificationSize } : {}) });
    const text = 'x'.repeat(150) + 'y'.repeat(149);
    // 300 characters need 14 writes of 20 bytes out, and a reply of ~310 bytes back in 16 notifications.
    expect(await echo(session.client, text)).toBe(text);
    expect(await echo(session.client, 'short')).toBe('short');
  });

  it('a device without reassembly gets every request as one write of at most MTU − 3 bytes, and uploads sized to fit', async () => {
    const { binding, session } = await open({ mtu: 185, reassembly: false });
    expect(session.deviceReassembly).toBe(false);
    expect(await session.buffers()).toEqual({ bufSize: 182, bufCount: 4 });
    const image = randomBytes(6000);
    const r = await uploadImage(session.client, image, await session.buffers());
    expect(r.bytes).toBe(6000);
    const g = binding.gateway(ADDRESS);
    expect(Buffer.from(g.upload!.data).equals(image)).toBe(true);

    const writes = binding.writesTo(ADDRESS).map((w) => w.data);
    expect(writes.length).toBeGreaterThan(35);
    for (const w of writes) {
      expect(w.length).toBeLessThanOrEqual(182);
      // Each write is one whole SMP packet: its header's length covers exactly the rest.
      expect(HEADER_SIZE + decodeHeader(w).length).toBe(w.length);
    }
    // Chunks fill the write: all but the last upload request are within a few bytes of the limit.
    const uploads = writes.filter((w) => decodeHeader(w).group === 1);
    expect(Math.min(...uploads.slice(0, -1).map((w) => w.length))).toBeGreaterThanOrEqual(178);
  });

  it('a device with reassembly gets packets up to buf_size, written as MTU − 3 fragments', async () => {
    const { binding, session } = await open({ mtu: 64, reassembly: true, bufSize: 512, bufCount: 3 });
    const image = randomBytes(5000);
    await uploadImage(session.client, image, await session.buffers());
    expect(Buffer.from(binding.gateway(ADDRESS).upload!.data).equals(image)).toBe(true);
    const writes = binding.writesTo(ADDRESS).map((w) => w.data);
    expect(Math.max(...writes.map((w) => w.length))).toBe(61);
    const packets = packetsOf(writes).filter((p) => decodeHeader(p).group === 1);
    expect(Math.max(...packets.map((p) => p.length))).toBe(512);
    expect(packets.length).toBe(Math.ceil(5000 / 512) + 1);
  });

  it('refuses, with a clear error, a request that does not fit one write on a device without reassembly', async () => {
    const { session } = await open({ mtu: 23, reassembly: false });
    const err = await failure(echo(session.client, 'z'.repeat(40)));
    expect(err.code).toBe('INVALID_ARGUMENT');
    expect(err.message).toMatch(/does not reassemble/);
  });

  it('an upload cannot start when one write cannot hold the first chunk (MTU 23, no reassembly)', async () => {
    const { session } = await open({ mtu: 23, reassembly: false });
    const err = await failure(uploadImage(session.client, randomBytes(1000), await session.buffers()));
    expect(err.code).toBe('UPLOAD_REJECTED');
  });
});

describe('BLE errors', () => {
  it('an ATT "insufficient authentication" on connect means pairing is required', async () => {
    const err = await failure(open({ pairing: 'connect-error' }));
    expect(err.code).toBe('BLE_PAIRING_REQUIRED');
    expect(err.message).toContain(ADDRESS);
  });

  it('a subscription that is never confirmed is reported as pairing required, not as a hang', async () => {
    const err = await failure(open({ pairing: 'silent-subscribe' }, { transport: { setupTimeoutMs: 150 } }));
    expect(err.code).toBe('BLE_PAIRING_REQUIRED');
  });

  it('a peripheral without the SMP characteristic is BLE_NOT_SMP', async () => {
    const err = await failure(open({ smpCharacteristic: false }));
    expect(err.code).toBe('BLE_NOT_SMP');
  });

  it('a gateway that is not advertising is BLE_DEVICE_NOT_FOUND', async () => {
    const err = await failure(open({}, { selector: 'FL-99999999', scanTimeoutMs: 100 }));
    expect(err.code).toBe('BLE_DEVICE_NOT_FOUND');
  });
});

describe('reconnect and resume', () => {
  it('a link dropped mid-upload is re-established by address and the upload resumes from the device’s offset', async () => {
    const { binding, session } = await open({ mtu: 247, reassembly: true, bufSize: 512, bufCount: 4 }, { reconnect: { firstDelayMs: 20 } });
    const image = randomBytes(20_000);
    binding.dropLinkAfter(ADDRESS, 15, 60);
    let reconnected = 0;
    const r = await session.surviveLinkLoss('image upload', async () => uploadImage(session.client, image, await session.buffers()), {
      onReconnect: () => reconnected++,
    });
    expect(reconnected).toBe(1);
    expect(session.reconnects).toBe(1);
    expect(binding.connects).toBe(2);
    expect(r.resumedFrom).toBeGreaterThan(0);
    expect(r.resumedFrom).toBeLessThan(image.length);
    expect(Buffer.from(binding.gateway(ADDRESS).upload!.data).equals(image)).toBe(true);
    expect(await echo(session.client, 'still here')).toBe('still here');
  });

  it('gives up with BLE_LINK_LOST after the bounded attempts when the gateway stays away', async () => {
    const { binding, session } = await open({}, { reconnect: { attempts: 2, firstDelayMs: 10, scanTimeoutMs: 100 } });
    binding.dropLinkAfter(ADDRESS, 1, 60_000);
    const err = await failure(session.surviveLinkLoss('echo', () => echo(session.client, 'x')));
    expect(err.code).toBe('BLE_LINK_LOST');
    // Bounded by the policy, not a stopwatch (one fails a loaded CI): two attempts, each given up after the
    // policy's 0.1 s scan — not the default 5 s one, nor a wait for the gateway's return (60 s away).
    expect(err.message).toMatch(/ 2 reconnect attempts failed \(last: "[^"]+" was not heard within 0\.1 s; /);
    expect(binding.connects).toBe(1);
  });

  it('without surviveLinkLoss a drop fails the operation with BLE_LINK_LOST', async () => {
    const { binding, session } = await open({});
    binding.dropLinkAfter(ADDRESS, 1);
    const err = await failure(echo(session.client, 'x'));
    expect(err.code).toBe('BLE_LINK_LOST');
    expect(session.transport.isOpen).toBe(false);
  });
});

describe('whose noble a BLE session goes through', () => {
  it('a BLE target opened without its owner’s radios is refused: there is no process-wide noble to fall back on', async () => {
    await expect(openTarget({ kind: 'ble', selector: 'FL-00000001', adapter: 'system' })).rejects.toThrow(/needs the radios of its owner/);
  });

  it('two sessions of one owner share its noble: it is loaded once', async () => {
    const binding = new FakeBleBinding([{ address: ADDRESS, name: 'FL-00000001', mtu: 247, reassembly: true }]);
    let loads = 0;
    const radios = createBleRadios();
    const options = {
      adapter: 'system' as const,
      radios,
      noble: {
        loadSystem: () => {
          loads += 1;
          return binding.noble();
        },
      },
      scanTimeoutMs: 1000,
      timeoutMs: 500,
    };
    const first = await openTarget({ kind: 'ble', selector: 'FL-00000001', adapter: 'system' }, options);
    await first.close();
    const second = await GatewaySession.openBle({ ...options, selector: ADDRESS });
    sessions.push(second);
    expect(loads).toBe(1);
    await radios.release();
  });
});
