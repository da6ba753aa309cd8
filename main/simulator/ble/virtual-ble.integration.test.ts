/**
 * The real noble (through its with-bindings seam) on the virtual binding, against a BLE simulator running in this
 * process: scan, connect, GATT discovery, subscription and SMP over notifications, as the app's BLE transport
 * will do it — plus the link model's limits, faults and the unreachable-simulator error.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Characteristic, Peripheral } from '@abandonware/noble';
import type { Noble } from '@abandonware/noble/with-bindings';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FieldlineError } from '../../errors';
import { silentLogger } from '../../log';
import { createBleFramer } from '../../smp/ble-segmentation';
import { SmpClient } from '../../smp/client';
import { encodeCbor } from '../../smp/cbor';
import { MGMT_RC } from '../../smp/error-codes';
import { echo, params, reset } from '../../smp/groups/os';
import { decodePacket, encodePacket, Op } from '../../smp/header';
import { SmpError } from '../../smp/smp-error';
import { createVirtualBinding, type VirtualBinding } from '../../transport/ble/virtual/binding';
import { Listeners, type Transport } from '../../transport/transport';
import { SMP_CHARACTERISTIC_UUID, SMP_SERVICE_UUID } from '../../transport/ble/uuids';
import { NO_DELAYS } from '../device/config';
import { bleAddress, bleName, rssiLevel } from './identity';
import { requestPackets } from './link-model';
import { startBleSimulator, type BleSimulatorOptions, type RunningBleSimulator } from './simulator';

const withBindings = createRequire(import.meta.url)('@abandonware/noble/with-bindings') as (b: VirtualBinding) => Noble;

let dir: string;
let sim: RunningBleSimulator | undefined;
const bindings: VirtualBinding[] = [];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fl-ble-test-'));
});

afterEach(async () => {
  for (const b of bindings.splice(0)) b.close();
  await sim?.stop();
  sim = undefined;
  await rm(dir, { recursive: true, force: true });
});

async function start(options: Partial<BleSimulatorOptions> = {}): Promise<RunningBleSimulator> {
  sim = await startBleSimulator({ count: 1, socketPath: join(dir, 'ble.sock'), logger: silentLogger, delays: NO_DELAYS, seed: 1, ...options });
  return sim;
}

/**
 * How long a wait for an event may take before the test says which one never came. Only a guard against a hang, so
 * far above the milliseconds these take: a tight one (2 s) would fail a CI on a loaded machine. What a test proves
 * about time it proves with lower bounds (timers never fire early) or with the cause of what answered.
 */
const WAIT_MS = 10_000;

function within<T>(ms: number, what: string, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise<T>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: nothing within ${ms} ms`)), ms))),
  ]);
}

async function until(check: () => boolean, ms = WAIT_MS): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** A noble instance on a fresh virtual binding, powered on. */
async function central(socketPath: string): Promise<{ noble: Noble; binding: VirtualBinding }> {
  const binding = createVirtualBinding({ socketPath, logger: silentLogger });
  bindings.push(binding);
  const noble = withBindings(binding);
  const state = await within(WAIT_MS, 'stateChange', new Promise<string>((resolve) => noble.on('stateChange', resolve)));
  expect(state).toBe('poweredOn');
  return { noble, binding };
}

async function scanFor(noble: Noble, name: string): Promise<Peripheral> {
  const found = new Promise<Peripheral>((resolve) => {
    const onDiscover = (p: Peripheral): void => {
      if (p.advertisement.localName !== name) return;
      noble.removeListener('discover', onDiscover);
      resolve(p);
    };
    noble.on('discover', onDiscover);
  });
  await noble.startScanningAsync([SMP_SERVICE_UUID], false);
  const p = await within(WAIT_MS, `discover ${name}`, found);
  await noble.stopScanningAsync();
  return p;
}

/** noble passes connect()'s options to the binding; its types do not say so. */
function connect(p: Peripheral, mtu = 517): Promise<void> {
  return new Promise((resolve, reject) =>
    (p.connect as unknown as (o: { mtu: number }, cb: (e?: Error | null) => void) => void).call(p, { mtu }, (e) => (e ? reject(e) : resolve())),
  );
}

/** Connect, discover the SMP characteristic and subscribe, as the BLE transport does. */
async function openSmp(p: Peripheral): Promise<Characteristic> {
  await connect(p);
  const { characteristics } = await p.discoverSomeServicesAndCharacteristicsAsync([SMP_SERVICE_UUID], [SMP_CHARACTERISTIC_UUID]);
  const c = characteristics[0] as Characteristic;
  await c.subscribeAsync();
  return c;
}

/** A minimal Transport over the noble characteristic, so the real SmpClient and BLE framer run on top. */
class CharacteristicTransport implements Transport {
  readonly kind = 'ble' as const;
  readonly id: string;
  isOpen = true;
  notifications = 0;
  private readonly data = new Listeners<[Uint8Array]>();
  private readonly closed = new Listeners<[Error | undefined]>();

  constructor(
    private readonly peripheral: Peripheral,
    private readonly characteristic: Characteristic,
  ) {
    this.id = `ble:${peripheral.address}`;
    characteristic.on('data', (d: Buffer, isNotification: boolean) => {
      if (!isNotification) return;
      this.notifications++;
      this.data.emit(new Uint8Array(d));
    });
    peripheral.once('disconnect', () => {
      this.isOpen = false;
      this.closed.emit(new FieldlineError('BLE_LINK_LOST', 'disconnected'));
    });
  }

  get mtu(): number {
    return this.peripheral.mtu ?? 23;
  }

  async open(): Promise<void> {}
  async close(): Promise<void> {}

  async write(bytes: Uint8Array): Promise<void> {
    const size = this.mtu - 3;
    for (let at = 0; at < bytes.length; at += size) this.characteristic.write(Buffer.from(bytes.subarray(at, at + size)), true);
  }

  onData(listener: (data: Uint8Array) => void): () => void {
    return this.data.add(listener);
  }

  onClose(listener: (error?: Error) => void): () => void {
    return this.closed.add(listener);
  }
}

function smpClient(t: CharacteristicTransport, deviceReassembly: boolean): SmpClient {
  return new SmpClient(t, { framer: createBleFramer({ mtu: t.mtu, deviceReassembly }), versionCache: new Map(), defaultTimeoutMs: 3000, defaultRetries: 0 });
}

describe('virtual BLE gateways through the real noble', () => {
  it('scans (name, address, RSSI), connects at the negotiated MTU, discovers the SMP characteristic and echoes', async () => {
    const s = await start();
    const serial = s.gateways[0]!.serial;
    const { noble } = await central(s.socketPath);
    const p = await scanFor(noble, bleName(serial));
    expect(p.address).toBe(bleAddress(serial));
    expect(p.address).toMatch(/^c0(:[0-9a-f]{2}){5}$/);
    expect(p.addressType).toBe('random');
    expect(p.advertisement.serviceUuids).toEqual([SMP_SERVICE_UUID]);
    expect(Math.abs(p.rssi - rssiLevel(0))).toBeLessThanOrEqual(3);

    await connect(p);
    expect(p.mtu).toBe(498); // min(517 asked, 498 device)
    const { services, characteristics } = await p.discoverSomeServicesAndCharacteristicsAsync([SMP_SERVICE_UUID], [SMP_CHARACTERISTIC_UUID]);
    expect(services.map((x) => x.uuid)).toEqual([SMP_SERVICE_UUID]);
    const c = characteristics[0] as Characteristic;
    expect(c.properties).toEqual(['writeWithoutResponse', 'write', 'notify']);
    const descriptors = await c.discoverDescriptorsAsync();
    expect(descriptors.map((d) => d.uuid)).toEqual(['2902']);
    await c.subscribeAsync();
    expect([...(await descriptors[0]!.readValueAsync())]).toEqual([1, 0]);

    const client = smpClient(new CharacteristicTransport(p, c), true);
    expect(await echo(client, 'hello over the air')).toBe('hello over the air');
    expect(await params(client)).toEqual({ bufSize: 2475, bufCount: 4 });
    await p.disconnectAsync();
    expect(s.peripherals[0]!.phase).toBe('advertising');
  });

  it('sends no reply to a central that has not subscribed', async () => {
    const s = await start();
    const { noble } = await central(s.socketPath);
    const p = await scanFor(noble, s.gateways[0]!.name);
    await connect(p);
    const { characteristics } = await p.discoverSomeServicesAndCharacteristicsAsync([SMP_SERVICE_UUID], [SMP_CHARACTERISTIC_UUID]);
    const t = new CharacteristicTransport(p, characteristics[0] as Characteristic);
    const client = new SmpClient(t, { framer: createBleFramer({ mtu: t.mtu, deviceReassembly: true }), versionCache: new Map(), defaultTimeoutMs: 300, defaultRetries: 0 });
    await expect(echo(client, 'anyone?')).rejects.toMatchObject({ code: 'DEVICE_TIMEOUT' });
    expect(t.notifications).toBe(0);
  });

  it('at MTU 23 splits a long reply into notifications of 20 bytes that reassemble by the header length', async () => {
    const s = await start({ deviceMtu: 23 });
    const { noble } = await central(s.socketPath);
    const p = await scanFor(noble, s.gateways[0]!.name);
    const c = await openSmp(p);
    expect(p.mtu).toBe(23);
    const sizes: number[] = [];
    c.on('data', (d: Buffer) => sizes.push(d.length));
    const client = smpClient(new CharacteristicTransport(p, c), true);
    const text = 'x'.repeat(300);
    expect(await echo(client, text)).toBe(text);
    expect(sizes.length).toBeGreaterThan(15); // 8 + ~305 bytes of reply in 20-byte pieces
    expect(Math.max(...sizes)).toBe(20);
  });

  it('without reassembly answers MCUmgr params with ENOTSUP, and a fragment with ECORRUPT', async () => {
    const s = await start({ reassembly: false, deviceMtu: 247 });
    const { noble } = await central(s.socketPath);
    const p = await scanFor(noble, s.gateways[0]!.name);
    const c = await openSmp(p);
    const t = new CharacteristicTransport(p, c);
    const client = smpClient(t, false);
    const err = await params(client).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SmpError);
    expect((err as SmpError).rc).toBe(MGMT_RC.ENOTSUP);
    expect(await echo(client, 'whole packets still work')).toBe('whole packets still work');

    // The first 244 bytes of a 400-byte echo request: the header promises more than the write holds.
    const packet = encodePacket({ op: Op.Write, version: 1, flags: 0, group: 0, sequence: 200, command: 0 }, encodeCbor({ d: 'y'.repeat(390) }));
    const replies: Uint8Array[] = [];
    c.on('data', (d: Buffer) => replies.push(new Uint8Array(d)));
    c.write(Buffer.from(packet.subarray(0, 244)), true);
    await within(WAIT_MS, 'ECORRUPT reply', new Promise<void>((resolve) => c.once('data', () => resolve())));
    const reply = decodePacket(replies[0]!);
    expect(reply.header.sequence).toBe(200);
    // zcbor's indefinite map {"rc": ECORRUPT}, as Zephyr's smp.c answers a header promising more than arrived.
    expect(Array.from(reply.body)).toEqual([0xbf, 0x62, 0x72, 0x63, MGMT_RC.ECORRUPT, 0xff]);
  });

  it('acknowledges a write with response (even a long one) after a round trip of the link', async () => {
    const s = await start({ connIntervalMs: 20 });
    const { noble } = await central(s.socketPath);
    const p = await scanFor(noble, s.gateways[0]!.name);
    const c = await openSmp(p);
    const replies: Buffer[] = [];
    c.on('data', (d: Buffer) => replies.push(d));
    const packet = encodePacket({ op: Op.Write, version: 1, flags: 0, group: 0, sequence: 9, command: 0 }, encodeCbor({ d: 'w'.repeat(490) })); // 504 bytes: under ATT's 512
    const started = performance.now();
    await c.writeAsync(Buffer.from(packet), false); // 512 bytes > MTU − 3: a long write
    // Request and response travel in different connection events: at least one interval.
    expect(performance.now() - started).toBeGreaterThanOrEqual(19);
    await until(() => replies.length >= 2); // the 505-byte reply: two notifications at MTU 498
    expect(decodePacket(Buffer.concat(replies)).header.sequence).toBe(9);
  });

  it('applies corrupt-reply as a reply that no longer decodes (BLE has no CRC to fail)', async () => {
    const s = await start({ faults: ['corrupt-reply:p=1'] });
    const { noble } = await central(s.socketPath);
    const p = await scanFor(noble, s.gateways[0]!.name);
    const c = await openSmp(p);
    const t = new CharacteristicTransport(p, c);
    const client = new SmpClient(t, { framer: createBleFramer({ mtu: t.mtu, deviceReassembly: true }), versionCache: new Map(), defaultTimeoutMs: 500, defaultRetries: 0 });
    await expect(echo(client, 'spoiled')).rejects.toMatchObject({ code: 'DEVICE_TIMEOUT' });
    expect(t.notifications).toBe(1);
    expect(client.stats.malformed).toBe(1);
  });

  it('refuses a second central while one is connected, with a busy error', async () => {
    const s = await start();
    const a = await central(s.socketPath);
    const pa = await scanFor(a.noble, s.gateways[0]!.name);
    const b = await central(s.socketPath);
    const pb = await scanFor(b.noble, s.gateways[0]!.name);
    await connect(pa);
    const err = await connect(pb).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FieldlineError);
    expect((err as FieldlineError).code).toBe('BLE_DEVICE_BUSY');
    expect((err as Error).message).toMatch(/another central/);
  });

  it('drops the link on a disconnect fault and advertises again after back=MS', async () => {
    const s = await start({ faults: ['disconnect:after=2,back=300'] });
    const { noble } = await central(s.socketPath);
    const p = await scanFor(noble, s.gateways[0]!.name);
    const c = await openSmp(p);
    const client = smpClient(new CharacteristicTransport(p, c), true);
    const gone = new Promise<unknown>((resolve) => p.once('disconnect', resolve));
    await echo(client, 'one');
    expect(await echo(client, 'two')).toBe('two'); // the reply reaches the app before the link goes
    expect(await within(WAIT_MS, 'disconnect', gone)).toBe(0x08); // supervision timeout
    expect(s.peripherals[0]!.phase).toBe('away');
    const started = Date.now();
    const again = await scanFor(noble, s.gateways[0]!.name);
    expect(Date.now() - started).toBeGreaterThanOrEqual(200);
    const c2 = await openSmp(again);
    expect(await echo(smpClient(new CharacteristicTransport(again, c2), true), 'three')).toBe('three');
  });

  it('a reset drops the link after its reply and the gateway advertises again once booted', async () => {
    const s = await start({ delays: { ...NO_DELAYS, reboot: 200 } });
    const { noble } = await central(s.socketPath);
    const p = await scanFor(noble, s.gateways[0]!.name);
    const c = await openSmp(p);
    const client = smpClient(new CharacteristicTransport(p, c), true);
    const gone = new Promise<unknown>((resolve) => p.once('disconnect', resolve));
    await reset(client);
    await within(WAIT_MS, 'disconnect', gone);
    expect(s.peripherals[0]!.phase).toBe('booting');
    const again = await scanFor(noble, s.gateways[0]!.name);
    const c2 = await openSmp(again);
    expect(await echo(smpClient(new CharacteristicTransport(again, c2), true), 'back')).toBe('back');
  });

  it('a long pipelined burst takes at least the time the modelled link needs to carry it', async () => {
    const interval = 15;
    const perEvent = 4;
    const s = await start({ deviceMtu: 247, connIntervalMs: interval, packetsPerEvent: perEvent });
    const { noble } = await central(s.socketPath);
    const p = await scanFor(noble, s.gateways[0]!.name);
    const c = await openSmp(p);
    const client = smpClient(new CharacteristicTransport(p, c), true);
    client.setMaxInFlight(3);
    const text = 'z'.repeat(1500);
    const requestBytes = encodePacket({ op: Op.Write, version: 1, flags: 0, group: 0, sequence: 0, command: 0 }, encodeCbor({ d: text })).length;
    const count = 12;
    const started = performance.now();
    const replies = await Promise.all(Array.from({ length: count }, () => echo(client, text)));
    const elapsed = performance.now() - started;
    expect(replies.every((r) => r === text)).toBe(true);
    // Every request crosses the central → peripheral direction: N packets per interval at most. The event in
    // progress when the burst starts may already be partly over, hence one interval less.
    const packets = count * requestPackets(requestBytes, 247);
    const floorMs = (Math.ceil(packets / perEvent) - 1) * interval;
    expect(packets).toBe(count * 7); // 1500-byte echo ≈ 1515-byte packet: 7 writes of ≤ 244 bytes
    expect(elapsed).toBeGreaterThanOrEqual(floorMs);
  });
});

describe('virtual binding without a simulator', () => {
  it('reports BLE_VIRTUAL_UNREACHABLE naming the socket, and the state unsupported, at once', async () => {
    const socketPath = join(dir, 'nobody-listens.sock');
    const binding = createVirtualBinding({ socketPath, logger: silentLogger });
    bindings.push(binding);
    const noble = withBindings(binding);
    const state = await within(WAIT_MS, 'stateChange', new Promise<string>((resolve) => noble.on('stateChange', resolve)));
    expect(state).toBe('unsupported');
    expect(binding.failure?.code).toBe('BLE_VIRTUAL_UNREACHABLE');
    // "At once" is the cause, not a stopwatch (one fails a loaded CI): the socket's own error answered (ENOENT),
    // not the 3 s wait for the simulator's hello ("nothing answered … within 3 s").
    expect(binding.failure?.message).toBe(`no virtual Bluetooth gateways listen on ${socketPath} (ENOENT)`);
  });

  it('disconnects connected peripherals and powers off when the simulator stops', async () => {
    const s = await start();
    const { noble, binding } = await central(s.socketPath);
    const p = await scanFor(noble, s.gateways[0]!.name);
    await openSmp(p);
    const gone = new Promise<unknown>((resolve) => p.once('disconnect', resolve));
    const off = new Promise<string>((resolve) => noble.on('stateChange', resolve));
    await s.stop();
    await within(WAIT_MS, 'disconnect', gone);
    expect(await within(WAIT_MS, 'poweredOff', off)).toBe('poweredOff');
    expect(binding.failure?.code).toBe('BLE_VIRTUAL_UNREACHABLE');
  });
});
