import { describe, expect, it } from 'vitest';
import { Throttle } from './throttle';

/** Pushes `total` bytes in `chunk`-sized pieces at once and measures how long until the last one is released. */
async function measure(baud: number, total: number, chunk: number): Promise<{ seconds: number; received: number; order: boolean }> {
  let received = 0;
  let order = true;
  let next = 0;
  const throttle = new Throttle({
    baud,
    sink: (bytes) => {
      for (const b of bytes) {
        if (b !== (next & 0xff)) order = false;
        next++;
      }
      received += bytes.length;
    },
  });
  const data = Uint8Array.from({ length: total }, (_, i) => i & 0xff);
  const start = performance.now();
  for (let at = 0; at < total; at += chunk) throttle.push(data.subarray(at, Math.min(total, at + chunk)));
  await throttle.drained();
  return { seconds: (performance.now() - start) / 1000, received, order };
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
    const r = await measure(115200, 5760, 127);
    expect(r.received).toBe(5760);
    expect(r.order).toBe(true);
    expect(r.seconds).toBeGreaterThan(0.5 * 0.97);
    expect(r.seconds).toBeLessThan(0.5 * 1.06);
  });

  it('hits the rate at a slow baud too (9600: 960 B/s)', async () => {
    const r = await measure(9600, 384, 384);
    expect(r.seconds).toBeGreaterThan(0.4 * 0.97);
    expect(r.seconds).toBeLessThan(0.4 * 1.06);
  });

  it('both directions are independent: two throttles run at full rate at the same time', async () => {
    const [a, b] = await Promise.all([measure(57600, 2880, 64), measure(57600, 2880, 1)]);
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

  it('releases in small slices, not in one burst at the end', async () => {
    const times: number[] = [];
    const t = new Throttle({ baud: 115200, sink: () => times.push(performance.now()) });
    t.push(new Uint8Array(1152)); // 100 ms
    await t.drained();
    expect(times.length).toBeGreaterThan(30);
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
