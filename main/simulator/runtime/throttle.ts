/**
 * One direction of a UART at a given baud rate. A pty moves bytes as fast as memory does; a real 8N1 line
 * carries 10 bits per byte, so at most baud/10 bytes per second (DESIGN.md, "Testing without hardware").
 *
 * The schedule is a virtual clock: every byte gets the exact time its stop bit ends, `lineFreeAt` accumulates
 * those byte times, and release counts are computed from the start time of each chunk (never by adding up timer
 * periods), so a long transfer neither drifts nor speeds up when timers fire late. While the line is idle the clock
 * does not run ahead: a byte pushed after a pause starts at "now", as on a real line.
 *
 * Bytes are handed over in packets, as the USB side of a gateway's serial link does: at most `chunkBytes` (64, one
 * USB full-speed bulk packet) at once, and a packet ends early at a `flushAfter` byte (the LF that ends an SMP frame,
 * which the receiver acts on) and where the pushed data ends. Each packet is released when the stop bit of its last
 * byte has ended, never earlier — so a frame or a whole reply arrives exactly when it would on the wire, and only the
 * bytes inside a packet wait for the packet's last one (at most 5.6 ms at 115200 baud). A real USB-UART bridge adds
 * more than that (its latency timer flushes a partial packet 1–16 ms after the line goes quiet). Why packets rather
 * than a release every millisecond: each release is a timer here, a write into the pty, a read and a wake-up in
 * socat and the app; per millisecond that was most of the CPU the simulator and the app spent on a transfer.
 */
export interface ThrottleOptions {
  /** Bits per second; 0 = unthrottled (bytes pass straight through). */
  baud: number;
  /** Where released bytes go, in order. */
  sink: (bytes: Uint8Array) => void;
  /** Milliseconds clock; injectable for tests. */
  now?: () => number;
  /** Most bytes released at once (default 64, a USB full-speed bulk packet). */
  chunkBytes?: number;
  /** A byte value that ends a packet early (the serial transport's LF); none by default. */
  flushAfter?: number;
}

interface Segment {
  bytes: Uint8Array;
  /** Bytes of this segment already released. */
  sent: number;
  /** Time the first byte of this segment starts on the line. */
  start: number;
}

/** Bits per byte on an 8N1 line: start bit, 8 data bits, stop bit. */
const BITS_PER_BYTE = 10;
export const USB_PACKET_BYTES = 64;
/** Float rounding in byte times must not hold back a byte that has in fact completed. */
const EPSILON = 1e-9;

export class Throttle {
  private readonly byteMs: number;
  private readonly now: () => number;
  private readonly chunkBytes: number;
  private readonly queue: Segment[] = [];
  private lineFreeAt = 0;
  private timer: NodeJS.Timeout | undefined;
  private waiters: Array<() => void> = [];

  constructor(private readonly options: ThrottleOptions) {
    if (!(options.baud >= 0) || !Number.isFinite(options.baud)) throw new RangeError(`baud must be ≥ 0, got ${options.baud}`);
    this.byteMs = options.baud > 0 ? (1000 * BITS_PER_BYTE) / options.baud : 0;
    this.now = options.now ?? (() => performance.now());
    this.chunkBytes = options.chunkBytes ?? USB_PACKET_BYTES;
    if (!Number.isInteger(this.chunkBytes) || this.chunkBytes < 1) throw new RangeError(`chunkBytes must be a positive integer, got ${this.chunkBytes}`);
  }

  /** Bytes accepted but not yet released. */
  get pending(): number {
    return this.queue.reduce((n, s) => n + s.bytes.length - s.sent, 0);
  }

  push(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    if (this.byteMs === 0) {
      this.options.sink(bytes);
      return;
    }
    const start = Math.max(this.now(), this.lineFreeAt);
    this.lineFreeAt = start + bytes.length * this.byteMs;
    this.queue.push({ bytes, sent: 0, start });
    this.schedule();
  }

  /** Resolves once every byte pushed so far has been handed to the sink. */
  drained(): Promise<void> {
    if (this.queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Forgets queued bytes (the line went down); pending drained() calls resolve. */
  clear(): void {
    this.queue.length = 0;
    this.lineFreeAt = 0;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.wake();
  }

  /** Where the head segment's next packet ends (exclusive index): a full packet, a flush byte, or the segment's end. */
  private packetEnd(seg: Segment): number {
    const limit = Math.min(seg.bytes.length, seg.sent + this.chunkBytes);
    const flush = this.options.flushAfter;
    if (flush === undefined) return limit;
    const at = seg.bytes.subarray(seg.sent, limit).indexOf(flush);
    return at < 0 ? limit : seg.sent + at + 1;
  }

  private schedule(): void {
    if (this.timer || this.queue.length === 0) return;
    const head = this.queue[0] as Segment;
    const due = head.start + this.packetEnd(head) * this.byteMs;
    // Rounded up: a timer that fired before the packet's last stop bit would only find part of it done.
    const wait = Math.max(0, Math.ceil(due - this.now()));
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.release();
    }, wait);
  }

  private release(): void {
    const now = this.now();
    while (this.queue.length > 0) {
      const seg = this.queue[0] as Segment;
      const complete = Math.min(seg.bytes.length, Math.floor((now - seg.start) / this.byteMs + EPSILON));
      // Whole packets only, each handed over on its own (more than one when the timer was late), as a USB device
      // delivers them: a late timer must not turn the line into bigger reads than the device could make.
      for (let end = this.packetEnd(seg); end <= complete && end > seg.sent; end = this.packetEnd(seg)) {
        const chunk = seg.bytes.subarray(seg.sent, end);
        seg.sent = end;
        this.options.sink(chunk);
        if (end === seg.bytes.length) break;
      }
      if (seg.sent < seg.bytes.length) break;
      this.queue.shift();
    }
    if (this.queue.length === 0) this.wake();
    else this.schedule();
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }
}
