/**
 * The modelled radio link between a central and a virtual peripheral, so that BLE throughput is bounded the way
 * a real connection bounds it (issue #7; SMP.md §5, §8):
 * - the ATT MTU is negotiated: min(central's wish, peripheral's maximum), within 23..517;
 * - the link meets every `connIntervalMs` (a connection event) and carries at most `packetsPerEvent` link-layer
 *   packets per direction in each event;
 * - LE Data Length Extension is on: a link-layer packet carries up to 251 bytes of L2CAP, so an ATT write or
 *   notification with v value bytes costs ceil((v + 3 ATT + 4 L2CAP) / 251) packets (MTU 498 = exactly two);
 * - a PDU takes the budget of the connection event in progress when it is queued (and of the following ones if it
 *   does not fit), and is delivered at the end of the event that carries its last packet.
 * Times are absolute (event k ends at t0 + (k+1)·interval), computed, not accumulated from timers, so a late
 * timer never shifts the events after it.
 */
import { ATT_OVERHEAD, MAX_ATT_MTU, MIN_ATT_MTU } from '../../smp/ble-segmentation';

export const LL_PAYLOAD = 251;
export const L2CAP_HEADER = 4;

export interface LinkParameters {
  /** The peripheral's largest ATT MTU (what it answers in the MTU exchange). */
  deviceMtu: number;
  connIntervalMs: number;
  /** Link-layer packets per direction per connection event. */
  packetsPerEvent: number;
}

export const DEFAULT_LINK: LinkParameters = { deviceMtu: 498, connIntervalMs: 15, packetsPerEvent: 4 };
/** 7.5 ms to 4 s is what the Core spec allows for a connection interval. */
export const LINK_LIMITS = { deviceMtu: [MIN_ATT_MTU, MAX_ATT_MTU], connIntervalMs: [7.5, 4000], packetsPerEvent: [1, 64] } as const;

/** Link-layer packets for one ATT write or notification carrying `valueBytes`. */
export function llPackets(valueBytes: number): number {
  return Math.max(1, Math.ceil((valueBytes + ATT_OVERHEAD + L2CAP_HEADER) / LL_PAYLOAD));
}

export function negotiateMtu(wanted: number, deviceMax: number): number {
  return Math.max(MIN_ATT_MTU, Math.min(MAX_ATT_MTU, Math.floor(wanted), Math.floor(deviceMax)));
}

/**
 * Link-layer packets for one SMP packet of `packetBytes` written by the central: with device reassembly it goes
 * as ⌈packet / (MTU − 3)⌉ writes of at most MTU − 3 bytes; without, it must be one write (≤ MTU − 3).
 */
export function requestPackets(packetBytes: number, mtu: number): number {
  const per = mtu - ATT_OVERHEAD;
  let packets = 0;
  for (let left = packetBytes; left > 0; left -= per) packets += llPackets(Math.min(per, left));
  return Math.max(packets, 1);
}

export interface CapacityInput extends Omit<LinkParameters, 'deviceMtu'> {
  /** Negotiated ATT MTU. */
  mtu: number;
  /** The SMP request packets of the upload, each with the image-data bytes it carries. */
  requests: ReadonlyArray<{ packetBytes: number; dataBytes: number }>;
}

/**
 * The best payload (image data) bytes per second an upload can get from the link in the request direction: every
 * request costs its link-layer packets and the link carries packetsPerEvent of them per interval, back to back.
 * Replies travel the other direction, which has its own budget, so they cost nothing here.
 */
export function uploadCapacity(input: CapacityInput): number {
  let packets = 0;
  let data = 0;
  for (const r of input.requests) {
    packets += requestPackets(r.packetBytes, input.mtu);
    data += r.dataBytes;
  }
  if (packets === 0) return 0;
  const seconds = (packets / input.packetsPerEvent) * (input.connIntervalMs / 1000);
  return data / seconds;
}

export interface WindowedInput extends CapacityInput {
  /** Requests in flight (the uploader's window, buf_count − 1). */
  window: number;
  /** Size of each reply packet (an upload reply {off} is about 20 bytes). */
  replyBytes: number;
}

/**
 * The best a client keeping `window` requests in flight can get from this link when device and hosts take no
 * time at all: a request goes out in the budget of the event in progress, its reply rides the reverse direction
 * from the event in which the request arrived, and the next request is queued the moment a reply lands. With few,
 * small requests in flight this is below uploadCapacity(): the window, not the link, is then the limit (SMP.md
 * §8.1 reports the same: window 3 without reassembly reaches about half of what reassembly reaches).
 */
export function windowedUploadRate(input: WindowedInput): number {
  const up = new EventBudget(0, input.connIntervalMs, input.packetsPerEvent);
  const down = new EventBudget(0, input.connIntervalMs, input.packetsPerEvent);
  const replyPackets = requestPackets(input.replyBytes, input.mtu);
  const inFlight: number[] = [];
  let now = 0;
  let data = 0;
  let next = 0;
  while (next < input.requests.length || inFlight.length > 0) {
    while (inFlight.length < Math.max(1, input.window) && next < input.requests.length) {
      const r = input.requests[next++] as { packetBytes: number; dataBytes: number };
      data += r.dataBytes;
      const arrives = up.reserve(requestPackets(r.packetBytes, input.mtu), now).deliverAt;
      inFlight.push(down.reserve(replyPackets, arrives).deliverAt);
    }
    inFlight.sort((a, b) => a - b);
    now = inFlight.shift() as number;
  }
  return now > 0 ? data / (now / 1000) : 0;
}

/** When a queued PDU starts going out and when it arrives, in the link clock's milliseconds. */
export interface Slot {
  startAt: number;
  deliverAt: number;
}

/** One direction's packet budget per connection event: pure arithmetic, no timers. */
export class EventBudget {
  private event = 0;
  private used = 0;

  constructor(
    private readonly t0: number,
    private readonly intervalMs: number,
    private readonly perEvent: number,
  ) {}

  /** Reserves `packets` starting no earlier than the event in progress at `now`. */
  reserve(packets: number, now: number): Slot {
    const current = Math.max(0, Math.floor((now - this.t0) / this.intervalMs));
    if (current > this.event) {
      this.event = current;
      this.used = 0;
    }
    if (this.used >= this.perEvent) {
      this.event++;
      this.used = 0;
    }
    const startAt = this.t0 + this.event * this.intervalMs;
    let left = Math.max(1, packets);
    for (;;) {
      const room = this.perEvent - this.used;
      if (left <= room) {
        this.used += left;
        break;
      }
      left -= room;
      this.event++;
      this.used = 0;
    }
    return { startAt, deliverAt: this.t0 + (this.event + 1) * this.intervalMs };
  }
}

export interface LinkClock {
  now(): number;
}

export const realClock: LinkClock = { now: () => performance.now() };

/**
 * One direction of a live link: PDUs are reserved in the event budget and their callbacks run at their absolute
 * times, through one timer (the earliest due). clear() — the link dropped — forgets everything still in the air.
 */
export class LinkDirection {
  private readonly budget: EventBudget;
  private readonly due: Array<{ at: number; run: () => void }> = [];
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    t0: number,
    params: Omit<LinkParameters, 'deviceMtu'>,
    private readonly clock: LinkClock = realClock,
  ) {
    this.budget = new EventBudget(t0, params.connIntervalMs, params.packetsPerEvent);
  }

  /** Queues a PDU of `packets` link-layer packets; `onStart`/`onDelivered` run when it goes on air / arrives. */
  send(packets: number, onDelivered: () => void, onStart?: () => void): Slot {
    const slot = this.budget.reserve(packets, this.clock.now());
    if (this.closed) return slot;
    if (onStart) this.at(slot.startAt, onStart);
    this.at(slot.deliverAt, onDelivered);
    return slot;
  }

  /** Runs `fn` at absolute time `at` (now, if that has passed), after everything already due at or before it. */
  at(at: number, fn: () => void): void {
    if (this.closed) return;
    let i = this.due.length;
    while (i > 0 && (this.due[i - 1] as { at: number }).at > at) i--;
    this.due.splice(i, 0, { at, run: fn });
    this.arm();
  }

  /** Drops everything in the air; the direction accepts nothing more. */
  clear(): void {
    this.closed = true;
    this.due.length = 0;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  get pending(): number {
    return this.due.length;
  }

  private arm(): void {
    if (this.timer) clearTimeout(this.timer);
    const first = this.due[0];
    if (!first) {
      this.timer = undefined;
      return;
    }
    this.timer = setTimeout(() => this.fire(), Math.max(0, first.at - this.clock.now()));
  }

  private fire(): void {
    this.timer = undefined;
    const now = this.clock.now();
    while (!this.closed && this.due.length > 0 && (this.due[0] as { at: number }).at <= now) {
      const { run } = this.due.shift() as { run: () => void };
      run();
    }
    if (!this.closed) this.arm();
  }
}

/** A connection's link: the negotiated MTU and both directions, sharing one clock origin (the connection). */
export class RadioLink {
  readonly toPeripheral: LinkDirection;
  readonly toCentral: LinkDirection;

  constructor(
    readonly mtu: number,
    params: Omit<LinkParameters, 'deviceMtu'>,
    clock: LinkClock = realClock,
  ) {
    const t0 = clock.now();
    this.toPeripheral = new LinkDirection(t0, params, clock);
    this.toCentral = new LinkDirection(t0, params, clock);
  }

  close(): void {
    this.toPeripheral.clear();
    this.toCentral.clear();
  }
}
