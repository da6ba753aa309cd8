/**
 * One virtual BLE gateway: the same device model, Dispatcher and GatewayFaults as a serial one, behind a GATT
 * peripheral with the SMP service (SMP.md §5) and a modelled radio link (link-model.ts).
 *
 * How it behaves, and why:
 * - It advertises the SMP service while nobody is connected; one central at a time (a second one is told the
 *   gateway is busy), as Zephyr's smp_svr with one connection.
 * - Writes arrive through the link model. With reassembly (CONFIG_MCUMGR_TRANSPORT_BT_REASSEMBLY, the default)
 *   they are collected by the first write's header length up to buf_size; without it every write is one SMP packet,
 *   a fragment gets whatever Zephyr's smp.c makes of it (ECORRUPT, or no reply), and MCUmgr params answers ENOTSUP —
 *   how clients tell the two apart (SMP.md §5).
 * - Packets are processed one at a time; at most buf_count are held, more are dropped (net_buf pool exhausted).
 * - A reply longer than MTU − 3 goes out as consecutive notifications of at most MTU − 3 bytes; nothing is sent
 *   to a central that has not subscribed (bt_gatt_notify fails and smp_bt drops the reply).
 * - Faults: the serial specs apply; `disconnect(after,back)` drops the link (the central sees a supervision
 *   timeout) and the gateway advertises again `back` ms later; a reset (or reboot-mid-upload) drops the link once
 *   the reply is on air, and the gateway advertises again after its boot, as a real one does.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { HEADER_SIZE } from '../../smp/header';
import { segmentPacket } from '../../smp/ble-segmentation';
import type { Logger } from '../../log';
import { SMP_SERVICE_UUID } from '../../transport/ble/uuids';
import type { GroupHandler, SimReply } from '../handler';
import { Dispatcher } from '../runtime/dispatch';
import type { GatewayFaults } from '../runtime/faults';
import type { SimDevice } from '../runtime/gateway';
import type { LinkCounter } from '../runtime/link';
import { bleAddress, bleName, jitteredRssi } from './identity';
import { llPackets, negotiateMtu, RadioLink, realClock, requestPackets, type LinkClock, type LinkParameters } from './link-model';
import { HCI_REASON, MAX_VALUE, toBase64, type SimMessage } from '../../transport/ble/virtual/protocol';
import { Reassembler } from './reassembler';

/** The simulator's view of one connected client (a central), as the socket server provides it. */
export interface Central {
  readonly id: number;
  send(message: SimMessage): void;
}

export interface BleGatewayOptions {
  serial: string;
  device: SimDevice;
  bufSize: number;
  bufCount: number;
  smpV1Only: boolean;
  /** CONFIG_MCUMGR_TRANSPORT_BT_REASSEMBLY. */
  reassembly: boolean;
  link: LinkParameters;
  faults: GatewayFaults;
  /** Mean RSSI scanners see (dBm); `rng` adds the jitter. */
  rssiLevel: number;
  rng: () => number;
  count: (counter: LinkCounter, n?: number) => void;
  logger: Logger;
  clock?: LinkClock;
  /** Called whenever the gateway (re)starts advertising, so scanners hear of it at once. */
  onAdvertising?: () => void;
}

export type BlePhase = 'booting' | 'advertising' | 'connected' | 'away' | 'stopped';

interface Connection {
  central: Central;
  link: RadioLink;
  subscribed: boolean;
  /** Resolvers of "delivered" promises, settled early when the link drops. */
  waiters: Set<() => void>;
}

const OS_GROUP = 0;
const OS_MCUMGR_PARAMS = 6;
const NOT_SUPPORTED: SimReply = { kind: 'smp-error', name: 'ENOTSUP' };

/** MCUmgr params answers ENOTSUP on a device without reassembly (see the header comment). */
function withoutParams(handlers: readonly GroupHandler[]): GroupHandler[] {
  return handlers.map((h) =>
    h.group !== OS_GROUP
      ? h
      : {
          group: h.group,
          handle: (request, effects) =>
            request.command === OS_MCUMGR_PARAMS ? Promise.resolve(NOT_SUPPORTED) : h.handle(request, effects),
        },
  );
}

/**
 * corrupt-reply over BLE: GATT values have no CRC to fail, so the body's first byte becomes a CBOR "break": the
 * reply keeps its header (reassembly still works) but no longer decodes, and the client must time out and retry.
 */
export function corruptBleReply(packets: Uint8Array[]): Uint8Array[] {
  return packets.map((p) => {
    const copy = Uint8Array.from(p);
    if (copy.length > HEADER_SIZE) copy[HEADER_SIZE] = 0xff;
    return copy;
  });
}

export class BleGateway {
  readonly address: string;
  readonly name: string;
  private readonly dispatcher: Dispatcher;
  private readonly reassembler: Reassembler;
  private readonly clock: LinkClock;
  private readonly logger: Logger;
  private phaseValue: BlePhase = 'booting';
  private conn: Connection | undefined;
  private pending: Array<{ central: Central; mtu: number }> = [];
  private readonly queue: Array<{ packet: Uint8Array; conn: Connection }> = [];
  private busy = false;
  private backTimer: NodeJS.Timeout | undefined;

  constructor(private readonly options: BleGatewayOptions) {
    this.address = bleAddress(options.serial);
    this.name = bleName(options.serial);
    this.clock = options.clock ?? realClock;
    this.logger = options.logger;
    this.dispatcher = new Dispatcher({
      handlers: options.reassembly ? options.device.handlers : withoutParams(options.device.handlers),
      smpV1Only: options.smpV1Only,
      maxReply: options.bufSize,
      logger: options.logger,
    });
    this.reassembler = new Reassembler(options.bufSize, {
      onPacket: (packet) => {
        if (this.conn) this.enqueue(packet, this.conn);
      },
      onDrop: (reason) => {
        this.options.count('dropped_frames');
        this.logger.debug('reassembly dropped a packet', { reason });
      },
    });
  }

  get serial(): string {
    return this.options.serial;
  }

  get phase(): BlePhase {
    return this.phaseValue;
  }

  /** The negotiated MTU while connected. */
  get mtu(): number | undefined {
    return this.conn?.link.mtu;
  }

  /** Boots the device; then it advertises. */
  async start(): Promise<void> {
    await this.options.device.boot();
    if (this.phaseValue === 'stopped') return;
    this.advertise();
  }

  /** What a scanner receives now, or undefined while the gateway is not advertising. */
  advertisement(): Extract<SimMessage, { type: 'advertisement' }> | undefined {
    if (this.phaseValue !== 'advertising') return undefined;
    return {
      type: 'advertisement',
      address: this.address,
      name: this.name,
      rssi: jitteredRssi(this.options.rssiLevel, this.options.rng),
      serviceUuids: [SMP_SERVICE_UUID],
      connectable: true,
    };
  }

  connect(central: Central, wantedMtu: number): void {
    switch (this.phaseValue) {
      case 'stopped':
        central.send({ type: 'connect-failed', address: this.address, code: 'stopped', message: `${this.name} is shutting down` });
        return;
      case 'connected': {
        const mine = this.conn?.central === central;
        central.send({
          type: 'connect-failed',
          address: this.address,
          code: mine ? 'already-connected' : 'busy',
          message: mine ? `already connected to ${this.name}` : `${this.name} is connected to another central (one connection at a time)`,
        });
        return;
      }
      case 'advertising':
        this.establish(central, wantedMtu);
        return;
      default:
        // Not advertising (booting, out of range): like a real initiator, the central waits until it shows up.
        if (!this.pending.some((p) => p.central === central)) this.pending.push({ central, mtu: wantedMtu });
    }
  }

  /** The central disconnects, or gives up a pending connect. */
  disconnect(central: Central): void {
    this.pending = this.pending.filter((p) => p.central !== central);
    if (this.conn?.central !== central) return;
    this.drop(HCI_REASON.LOCAL_HOST_TERMINATED);
    this.advertise();
  }

  /** The central's socket closed: forget it without telling it anything. */
  centralGone(central: Central): void {
    this.pending = this.pending.filter((p) => p.central !== central);
    if (this.conn?.central !== central) return;
    this.drop(undefined);
    this.advertise();
  }

  /** The CCCD write: a write request one way, its response the other. */
  subscribe(central: Central, enable: boolean): void {
    const conn = this.conn;
    if (conn?.central !== central) {
      central.send({ type: 'subscribed', address: this.address, enabled: false, error: 'not connected' });
      return;
    }
    conn.link.toPeripheral.send(1, () => {
      conn.subscribed = enable;
      conn.link.toCentral.send(1, () => central.send({ type: 'subscribed', address: this.address, enabled: enable }));
    });
  }

  write(central: Central, data: Uint8Array, withoutResponse: boolean): void {
    const conn = this.conn;
    if (conn?.central !== central) {
      central.send({ type: 'written', address: this.address, error: 'not connected' });
      return;
    }
    const max = withoutResponse ? conn.link.mtu - 3 : MAX_VALUE;
    if (data.length > max) {
      central.send({ type: 'written', address: this.address, error: `a value of ${data.length} bytes exceeds ${max} (MTU ${conn.link.mtu})` });
      return;
    }
    const deliver = (): void => this.receive(data, conn);
    if (withoutResponse) {
      // The host is done with a write command once the controller sends it: that is when noble reports it.
      conn.link.toPeripheral.send(llPackets(data.length), deliver, () => central.send({ type: 'written', address: this.address }));
      return;
    }
    // A write request (a long one as prepare/execute writes) is acknowledged by a response from the peripheral.
    conn.link.toPeripheral.send(requestPackets(data.length, conn.link.mtu), () => {
      deliver();
      conn.link.toCentral.send(1, () => central.send({ type: 'written', address: this.address }));
    });
  }

  async stop(): Promise<void> {
    this.phaseValue = 'stopped';
    if (this.backTimer) clearTimeout(this.backTimer);
    for (const p of this.pending) p.central.send({ type: 'connect-failed', address: this.address, code: 'stopped', message: `${this.name} stopped` });
    this.pending = [];
    this.drop(HCI_REASON.REMOTE_USER_TERMINATED);
    this.queue.length = 0;
  }

  private advertise(): void {
    if (this.phaseValue === 'stopped') return;
    this.phaseValue = 'advertising';
    const next = this.pending.shift();
    if (next) {
      this.establish(next.central, next.mtu);
      return;
    }
    this.options.onAdvertising?.();
  }

  private establish(central: Central, wantedMtu: number): void {
    const mtu = negotiateMtu(wantedMtu, this.options.link.deviceMtu);
    const link = new RadioLink(mtu, this.options.link, this.clock);
    this.conn = { central, link, subscribed: false, waiters: new Set() };
    this.phaseValue = 'connected';
    this.reassembler.reset();
    this.logger.debug('connected', { central: central.id, mtu });
    central.send({ type: 'connected', address: this.address, mtu });
  }

  /** Ends the connection; `reason` undefined = the central is gone and hears nothing. */
  private drop(reason: number | undefined): void {
    const conn = this.conn;
    if (!conn) return;
    this.conn = undefined;
    conn.link.close();
    for (const w of conn.waiters) w();
    conn.waiters.clear();
    this.reassembler.reset();
    if (this.phaseValue === 'connected') this.phaseValue = 'advertising';
    this.logger.debug('link dropped', { central: conn.central.id, reason });
    if (reason !== undefined) conn.central.send({ type: 'disconnected', address: this.address, reason });
  }

  private receive(data: Uint8Array, conn: Connection): void {
    if (conn !== this.conn) return;
    this.options.count('rx_frames');
    this.options.count('rx_bytes', data.length);
    if (this.options.reassembly) this.reassembler.push(data);
    else this.enqueue(Uint8Array.from(data), conn);
  }

  private enqueue(packet: Uint8Array, conn: Connection): void {
    if (this.queue.length + (this.busy ? 1 : 0) >= this.options.bufCount) {
      this.options.count('dropped_frames');
      this.logger.debug('dropped a packet: all buffers in use', { bufCount: this.options.bufCount });
      return;
    }
    this.queue.push({ packet, conn });
    if (!this.busy) void this.drain();
  }

  private async drain(): Promise<void> {
    this.busy = true;
    try {
      for (let next = this.queue.shift(); next; next = this.queue.shift()) {
        try {
          await this.onPacket(next.packet, next.conn);
        } catch (err) {
          this.logger.error('processing a packet failed', { error: String(err) });
        }
      }
    } finally {
      this.busy = false;
    }
  }

  private async onPacket(packet: Uint8Array, conn: Connection): Promise<void> {
    const faults = this.options.faults;
    const decision = faults.onRequest(packet);
    if (decision.drop) {
      this.logger.debug('fault: request dropped');
      return;
    }
    if (decision.reboot) {
      this.logger.info('fault: reboot in the middle of an upload');
      await this.reboot();
      return;
    }
    const outcome = await this.dispatcher.dispatch(packet);
    let sent: Promise<void> = Promise.resolve();
    for (const reply of outcome.replies) {
      const plan = faults.onReply([reply], corruptBleReply);
      if (plan.delayMs > 0) await sleep(plan.delayMs);
      if (plan.sends.length === 0) this.logger.debug('fault: reply dropped');
      for (const [p] of plan.sends) if (p) sent = this.notify(conn, p);
    }
    if (outcome.reboot) {
      await sent;
      await this.reboot();
      return;
    }
    const away = faults.disconnectNow();
    if (away) {
      await sent;
      this.goAway(away.backMs);
    }
  }

  /** Sends a reply as notifications of at most MTU − 3 bytes; resolves when the last is delivered (or the link drops). */
  private notify(conn: Connection, packet: Uint8Array): Promise<void> {
    if (conn !== this.conn || !conn.subscribed) {
      this.logger.debug('reply not sent: no subscribed central', { bytes: packet.length });
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      conn.waiters.add(resolve);
      const segments = segmentPacket(packet, conn.link.mtu);
      segments.forEach((segment, i) => {
        this.options.count('tx_frames');
        this.options.count('tx_bytes', segment.length);
        const data = toBase64(segment);
        conn.link.toCentral.send(llPackets(segment.length), () => {
          conn.central.send({ type: 'notification', address: this.address, data });
          if (i === segments.length - 1) {
            conn.waiters.delete(resolve);
            resolve();
          }
        });
      });
    });
  }

  /** Reset: the link goes (the central sees a supervision timeout), RAM is lost, the device boots and advertises. */
  private async reboot(): Promise<void> {
    this.queue.length = 0;
    this.phaseValue = 'booting';
    this.drop(HCI_REASON.CONNECTION_TIMEOUT);
    await this.options.device.boot();
    if (this.phaseValue !== 'booting') return;
    this.logger.debug('rebooted');
    this.advertise();
  }

  /** disconnect fault: out of range; back in range (advertising) after `backMs`, or never. */
  private goAway(backMs: number | undefined): void {
    this.drop(HCI_REASON.CONNECTION_TIMEOUT);
    this.phaseValue = 'away';
    this.logger.info('fault: link dropped', { backMs });
    if (backMs === undefined) return;
    this.backTimer = setTimeout(() => {
      this.backTimer = undefined;
      if (this.phaseValue !== 'away') return;
      this.logger.info('fault: back in range');
      this.advertise();
    }, backMs);
  }
}
