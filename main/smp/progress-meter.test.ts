import { describe, expect, it } from 'vitest';
import type { Progress } from '../contract/progress';
import { progressSchema } from '../contract/progress';
import { createProgressMeter } from './progress-meter';

/** A clock that only moves when the test moves it. */
function fakeClock(): { monotonicMs(): number; advance(ms: number): void } {
  let t = 1000;
  return { monotonicMs: () => t, advance: (ms) => void (t += ms) };
}

describe('createProgressMeter', () => {
  it('turns 1,000 chunk acknowledgements in one second into at most 11 events, the last one complete', () => {
    const clock = fakeClock();
    const events: Progress[] = [];
    const ack = createProgressMeter('image upload', { clock, emit: (p) => events.push(p) });
    const total = 1000 * 256;
    for (let i = 1; i <= 1000; i++) {
      clock.advance(1);
      ack(i * 256, total);
    }
    expect(events.length).toBeLessThanOrEqual(11);
    expect(events.length).toBeGreaterThanOrEqual(10);
    for (const e of events) expect(progressSchema.safeParse(e).success).toBe(true);
    const last = events.at(-1);
    expect(last).toEqual({ op: 'image upload', done: total, total, bytesPerSecond: expect.any(Number), etaSeconds: 0 });
    // 999 chunks after the first acknowledgement, 999 ms later: the rate is what moved in that time.
    expect(last?.bytesPerSecond).toBe(Math.round((999 * 256) / 0.999));
    // Between events at least 100 ms passed on the clock.
    const dones = events.map((e) => e.done / 256);
    for (let i = 1; i < dones.length - 1; i++) expect((dones[i] ?? 0) - (dones[i - 1] ?? 0)).toBeGreaterThanOrEqual(100);
  });

  it('gives an ETA from the measured rate, none before a rate is known, and sends the final event once', () => {
    const clock = fakeClock();
    const events: Progress[] = [];
    const ack = createProgressMeter('file upload', { clock, emit: (p) => events.push(p) });
    ack(0, 1000);
    clock.advance(500);
    ack(500, 1000);
    clock.advance(500);
    ack(1000, 1000);
    ack(1000, 1000); // an upload reports its end twice: the readers see it once
    expect(events).toEqual([
      { op: 'file upload', done: 0, total: 1000, bytesPerSecond: 0, etaSeconds: null },
      { op: 'file upload', done: 500, total: 1000, bytesPerSecond: 1000, etaSeconds: 1 },
      { op: 'file upload', done: 1000, total: 1000, bytesPerSecond: 1000, etaSeconds: 0 },
    ]);
  });

  it('counts a resumed transfer from where it resumed', () => {
    const clock = fakeClock();
    const events: Progress[] = [];
    const ack = createProgressMeter('image upload', { clock, emit: (p) => events.push(p) });
    ack(6000, 10_000);
    clock.advance(2000);
    ack(10_000, 10_000);
    expect(events.at(-1)?.bytesPerSecond).toBe(2000);
  });
});
