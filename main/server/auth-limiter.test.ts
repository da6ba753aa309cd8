/** Wrong station tokens from one address slow down exponentially, capped; other addresses are not affected. */
import { describe, expect, it } from 'vitest';
import { addressKey, createAuthLimiter } from './auth-limiter';

function clock(): { now: () => number; advance: (ms: number) => void } {
  let t = 1_000_000;
  return { now: () => t, advance: (ms) => (t += ms) };
}

describe('the authentication limiter', () => {
  it('lets a few wrong tries through, then locks the address out for 1 s, 2 s, 4 s … up to the cap', () => {
    const c = clock();
    const limiter = createAuthLimiter({ now: c.now, freeFailures: 5, baseMs: 1000, capMs: 60_000 });
    for (let i = 0; i < 4; i += 1) {
      expect(limiter.retryAfterMs('10.0.0.1')).toBe(0);
      limiter.failed('10.0.0.1');
    }
    expect(limiter.retryAfterMs('10.0.0.1')).toBe(0);
    limiter.failed('10.0.0.1');
    const waits: number[] = [];
    for (let i = 0; i < 10; i += 1) {
      const wait = limiter.retryAfterMs('10.0.0.1');
      waits.push(wait);
      c.advance(wait);
      expect(limiter.retryAfterMs('10.0.0.1')).toBe(0);
      limiter.failed('10.0.0.1');
    }
    expect(waits).toEqual([1000, 2000, 4000, 8000, 16_000, 32_000, 60_000, 60_000, 60_000, 60_000]);
  });

  it('does not hold one address against another, and forgets an address after a right token or a quiet spell', () => {
    const c = clock();
    const limiter = createAuthLimiter({ now: c.now, freeFailures: 2, baseMs: 1000, capMs: 60_000, forgetMs: 15 * 60_000 });
    limiter.failed('10.0.0.1');
    limiter.failed('10.0.0.1');
    expect(limiter.retryAfterMs('10.0.0.1')).toBe(1000);
    expect(limiter.retryAfterMs('10.0.0.2')).toBe(0);

    c.advance(1000);
    limiter.succeeded('10.0.0.1');
    limiter.failed('10.0.0.1');
    expect(limiter.retryAfterMs('10.0.0.1')).toBe(0);

    limiter.failed('10.0.0.1');
    expect(limiter.retryAfterMs('10.0.0.1')).toBe(1000);
    c.advance(15 * 60_000);
    limiter.failed('10.0.0.1');
    expect(limiter.retryAfterMs('10.0.0.1')).toBe(0);
  });

  it('remembers a bounded number of addresses', () => {
    const c = clock();
    const limiter = createAuthLimiter({ now: c.now, freeFailures: 1, maxAddresses: 100 });
    for (let i = 0; i < 1000; i += 1) limiter.failed(`10.0.${i >> 8}.${i & 255}`);
    expect(limiter.size()).toBeLessThanOrEqual(100);
    // The newest are kept.
    expect(limiter.retryAfterMs('10.0.3.231')).toBeGreaterThan(0);
  });

  it('keys IPv6 peers by their /64 (one host has a whole /64) and IPv4-mapped ones by their IPv4 address', () => {
    expect(addressKey('2001:db8:1:2:aaaa::1')).toBe(addressKey('2001:db8:1:2:bbbb::9'));
    expect(addressKey('2001:db8:1:2::1')).not.toBe(addressKey('2001:db8:1:3::1'));
    expect(addressKey('::ffff:192.168.1.7')).toBe('192.168.1.7');
    expect(addressKey('127.0.0.1')).toBe('127.0.0.1');
    expect(addressKey('::1')).toBe(addressKey('0:0:0:0:0:0:0:1'));
    expect(addressKey(undefined)).toBe('unknown');
  });
});
