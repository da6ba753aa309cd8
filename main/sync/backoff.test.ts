import { describe, expect, it } from 'vitest';
import { backoffDelay, MAX_RETRY_AFTER_MS, parseRetryAfter } from './backoff';

describe('backoffDelay (full jitter)', () => {
  const policy = { baseMs: 1000, capMs: 300_000 };

  it('draws between 0 and min(cap, base × 2^(n−1))', () => {
    expect([1, 2, 3, 4].map((n) => backoffDelay(n, policy, () => 0.999999))).toEqual([999, 1999, 3999, 7999]);
    expect(backoffDelay(5, policy, () => 0)).toBe(0);
    expect(backoffDelay(5, policy, () => 0.5)).toBe(8000);
  });

  it('stops growing at the cap, however many failures', () => {
    expect(backoffDelay(30, policy, () => 0.999999)).toBe(299_999);
    expect(backoffDelay(10_000, policy, () => 0.5)).toBe(150_000);
  });
});

describe('parseRetryAfter', () => {
  const now = Date.parse('2026-11-26T06:00:00.000Z');

  it('reads delta-seconds and HTTP-dates', () => {
    expect(parseRetryAfter('7', now)).toBe(7000);
    expect(parseRetryAfter(' 0 ', now)).toBe(0);
    expect(parseRetryAfter('Thu, 26 Nov 2026 06:00:30 GMT', now)).toBe(30_000);
  });

  it('treats a date in the past as now, bounds huge values, ignores garbage', () => {
    expect(parseRetryAfter('Thu, 26 Nov 2026 05:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('99999999', now)).toBe(MAX_RETRY_AFTER_MS);
    for (const bad of [undefined, null, '', 'soon', '-5', '1.5']) expect(parseRetryAfter(bad, now)).toBeUndefined();
  });
});
