import { afterEach, describe, expect, it, vi } from 'vitest';
import { Throttle } from './throttle';

afterEach(() => {
  vi.useRealTimers();
});

/**
 * Pushes `total` bytes in `chunk`-sized pieces at once and measures how long until the last one is released, on
 * fake timers: what is measured is the throttle's own schedule (when it asks to be woken and what it releases
 * then), not how late a busy machine runs timers — that would make the rate checks fail under load.
 * Call with fake timers installed (`vi.useFakeTimers()`), then `await vi.runAllTimersAsync()`.
 */
async function measure(baud: number, total: number, chunk: number): Promise<{ seconds: number; received: number; order: boolean }> {
  let received = 0;
  let order = true;
  let next = 0;
  const throttle = new Throttle({
    baud,
    now: () => Date.now(),
    sink: (bytes) => {
      for (const b of bytes) {
        if (b !== (next & 0xff)) order = false;
        next++;
      }
      received += bytes.length;
    },
  });
  const data = Uint8Array.from({ length: total }, (_, i) => i & 0xff);
  const start = Date.now();
  for (let at = 0; at < total; at += chunk) throttle.push(data.subarray(at, Math.min(total, at + chunk)));
  await throttle.drained();
  return { seconds: (Date.now() - start) / 1000, received, order };
}

/** Runs the measurements on fake timers, to the end of every timer they set. */
async function onFakeTimers<T>(run: () => Promise<T>): Promise<T> {
  vi.useFakeTimers();
  const result = run();
  await vi.runAllTimersAsync();
  return result;
}

describe('Throttle', () => {
  it('passes bytes straight through when baud is 0', () => {
    const out: number[] = [];
    const t = new Throttle({ baud: 0, sink: (b) => out.push(...b) });
    t.push(Uint8Array.of(1, 2, 3));
    expect(out).toEqual([1, 2, 3]);
    expect(t.pending).toBe(0);
  });

  it('carries baud/10 bytes per second at 115200 (8N1), within a few percent, in order', async () => {
    // 5760 bytes = 0.5 s at 11520 B/s, pushed as 127-byte frames.
    const r = await onFakeTimers(() => measure(115200, 5760, 127));
    expect(r.received).toBe(5760);
    expect(r.order).toBe(true);
    expect(r.seconds).toBeGreaterThan(0.5 * 0.97);
    expect(r.seconds).toBeLessThan(0.5 * 1.06);
  });

  it('hits the rate at a slow baud too (9600: 960 B/s)', async () => {
    const r = await onFakeTimers(() => measure(9600, 384, 384));
    expect(r.seconds).toBeGreaterThan(0.4 * 0.97);
    expect(r.seconds).toBeLessThan(0.4 * 1.06);
  });

  it('both directions are independent: two throttles run at full rate at the same time', async () => {
    const [a, b] = await onFakeTimers(() => Promise.all([measure(57600, 2880, 64), measure(57600, 2880, 1)]));
    for (const r of [a, b]) {
      expect(r.seconds).toBeGreaterThan(0.5 * 0.97);
      expect(r.seconds).toBeLessThan(0.5 * 1.06);
    }
  });

  it('does not bank idle time: bytes after a pause still take their full line time', async () => {
    const got: number[] = [];
    const t = new Throttle({ baud: 9600, sink: (b) => got.push(b.length) });
    t.push(new Uint8Array(10));
    await t.drained();
    await new Promise((r) => setTimeout(r, 100));
    const start = performance.now();
    t.push(new Uint8Array(96)); // 100 ms at 960 B/s
    await t.drained();
    expect(performance.now() - start).toBeGreaterThan(95);
  });

  it('releases in packets of at most 64 bytes, each once its last byte’s stop bit has ended, not in one burst', async () => {
    const releases: Array<{ at: number; bytes: number }> = [];
    let start = 0;
    const t = new Throttle({ baud: 115200, sink: (b) => releases.push({ at: performance.now() - start, bytes: b.length }) });
    start = performance.now();
    t.push(new Uint8Array(1152)); // 100 ms
    await t.drained();
    expect(releases.reduce((n, r) => n + r.bytes, 0)).toBe(1152);
    expect(releases.every((r) => r.bytes <= 64)).toBe(true);
    expect(releases.length).toBeGreaterThanOrEqual(1152 / 64 / 2);
    let sent = 0;
    for (const r of releases) {
      sent += r.bytes;
      // Never before the stop bit of the packet's last byte (1/11.52 ms per byte); timers only fire late.
      expect(r.at).toBeGreaterThanOrEqual((sent * 10_000) / 115200 - 0.01);
    }
  });

  it('hands over each packet on its own when its timer fires late, never one bigger read', () => {
    let now = 0;
    const got: number[][] = [];
    const t = new Throttle({ baud: 10_000, now: () => now, sink: (b) => got.push([...b]), chunkBytes: 4 });
    t.push(Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]));
    now = 50; // every byte done long ago (1 ms each)
    (t as unknown as { release(): void }).release.call(t);
    expect(got).toEqual([[1, 2, 3, 4], [5, 6, 7, 8], [9, 10]]);
    expect(t.pending).toBe(0);
  });

  it('ends a packet at the flush byte and at the end of what was pushed, so a frame is never held back', () => {
    let now = 0;
    const got: number[][] = [];
    const t = new Throttle({ baud: 10_000, now: () => now, sink: (b) => got.push([...b]), flushAfter: 0x0a, chunkBytes: 4 });
    // 1 ms per byte: "ab\n" ends at 3 ms, then "cdefgh" as packets of 4 (7 ms) and 2 (9 ms).
    t.push(Uint8Array.from([0x61, 0x62, 0x0a, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68]));
    const release = (t as unknown as { release(): void }).release.bind(t);
    now = 2.9;
    release();
    expect(got).toEqual([]);
    now = 3;
    release();
    expect(got).toEqual([[0x61, 0x62, 0x0a]]);
    now = 8.5;
    release();
    expect(got).toEqual([[0x61, 0x62, 0x0a], [0x63, 0x64, 0x65, 0x66]]);
    now = 9;
    release();
    expect(got.at(-1)).toEqual([0x67, 0x68]);
    expect(t.pending).toBe(0);
    t.clear();
  });

  it('clear() forgets queued bytes and wakes drained()', async () => {
    let got = 0;
    const t = new Throttle({ baud: 9600, sink: (b) => (got += b.length) });
    t.push(new Uint8Array(960));
    const drained = t.drained();
    t.clear();
    await drained;
    expect(got).toBeLessThan(960);
    expect(t.pending).toBe(0);
  });
});
