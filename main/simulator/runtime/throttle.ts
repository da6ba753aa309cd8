/**
 * One direction of a UART at a given baud rate. A pty moves bytes as fast as memory does; a real 8N1 line
 * carries 10 bits per byte, so at most baud/10 bytes per second (DESIGN.md, "Testing without hardware").
 *
 * The schedule is a virtual clock: every byte gets the exact time its stop bit ends, `lineFreeAt` accumulates
 * those byte times, and a timer releases whatever has completed in slices every ~1 ms. Release counts are computed
 * from the start time of each chunk (never by adding up timer periods), so a long transfer neither drifts nor
 * speeds up when timers fire late. While the line is idle the clock does not run ahead: a byte pushed after a
 * pause starts at "now", as on a real line.
 */
export interface ThrottleOptions {
  /** Bits per second; 0 = unthrottled (bytes pass straight through). */
  baud: number;
  /** Where released bytes go, in order. */
  sink: (bytes: Uint8Array) => void;
  /** Milliseconds clock; injectable for tests. */
  now?: () => number;
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
/** Longest wait between releases: small enough that a reply trickles out like on a wire, large enough to be cheap. */
const SLICE_MS = 1;

export class Throttle {
  private readonly byteMs: number;
  private readonly now: () => number;
  private readonly queue: Segment[] = [];
  private lineFreeAt = 0;
  private timer: NodeJS.Timeout | undefined;
  private waiters: Array<() => void> = [];

  constructor(private readonly options: ThrottleOptions) {
    if (!(options.baud >= 0) || !Number.isFinite(options.baud)) throw new RangeError(`baud must be ≥ 0, got ${options.baud}`);
    this.byteMs = options.baud > 0 ? (1000 * BITS_PER_BYTE) / options.baud : 0;
    this.now = options.now ?? (() => performance.now());
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

  private schedule(): void {
    if (this.timer || this.queue.length === 0) return;
    const head = this.queue[0] as Segment;
    const nextDone = head.start + (head.sent + 1) * this.byteMs;
    const wait = Math.min(SLICE_MS, Math.max(0, nextDone - this.now()));
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.release();
    }, wait);
  }

  private release(): void {
    const now = this.now();
    while (this.queue.length > 0) {
      const seg = this.queue[0] as Segment;
      // Bytes of this segment whose stop bit has ended by now; the small epsilon absorbs float rounding.
      const done = Math.min(seg.bytes.length, Math.floor((now - seg.start) / this.byteMs + 1e-9));
      if (done > seg.sent) {
        const chunk = seg.bytes.subarray(seg.sent, done);
        seg.sent = done;
        this.options.sink(chunk);
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
