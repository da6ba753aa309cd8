/** The line's figures throttle on a fake clock: one computation and one send per burst, never more than one per interval. */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { silentLogger } from '../log';
import { createKpiThrottle } from './line-kpi-throttle';

beforeEach(() => {
  vi.useFakeTimers({ now: 1_000_000 });
});
afterEach(() => {
  vi.useRealTimers();
});

function rig(intervalMs = 100): { computed: () => number; sent: number[]; throttle: ReturnType<typeof createKpiThrottle<number>> } {
  let computations = 0;
  const sent: number[] = [];
  const throttle = createKpiThrottle<number>({ intervalMs, logger: silentLogger, clock: () => Date.now(), compute: () => (computations += 1), send: (n) => sent.push(n) });
  return { computed: () => computations, sent, throttle };
}

describe('line figures throttle', () => {
  it('sends a burst of changes as one computation, and at most one send per interval after that', async () => {
    const r = rig();
    for (let i = 0; i < 64; i += 1) r.throttle.changed();
    await vi.advanceTimersByTimeAsync(0);
    expect(r.sent).toEqual([1]);
    // Changes 10 ms apart for 250 ms: sends at 100 ms and 200 ms after the first, then the last change's at 300 ms.
    for (let t = 0; t < 250; t += 10) {
      r.throttle.changed();
      await vi.advanceTimersByTimeAsync(10);
    }
    await vi.advanceTimersByTimeAsync(100);
    expect(r.sent).toEqual([1, 2, 3, 4]);
    expect(r.computed()).toBe(4);
  });

  it('recomputes on a read only when something changed, and a read counts as the interval’s computation', async () => {
    const r = rig();
    expect(r.throttle.current()).toBe(1);
    expect(r.throttle.current()).toBe(1);
    r.throttle.changed();
    expect(r.throttle.current()).toBe(2);
    // The figures were just computed by the read: the send waits for the interval, and sends them without recomputing.
    await vi.advanceTimersByTimeAsync(99);
    expect(r.sent).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(r.sent).toEqual([2]);
    expect(r.computed()).toBe(2);
  });

  it('sends nothing once closed', async () => {
    const r = rig();
    r.throttle.changed();
    r.throttle.close();
    r.throttle.changed();
    await vi.advanceTimersByTimeAsync(1000);
    expect(r.sent).toEqual([]);
  });
});
