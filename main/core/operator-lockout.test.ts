import { describe, expect, it } from 'vitest';
import { DEFAULT_LOCKOUT, lockoutMs } from './operator-lockout';

describe('lockoutMs', () => {
  it('locks nothing for four mistakes, 30 s at the fifth, doubling, capped at 15 minutes', () => {
    expect([1, 2, 3, 4].map((f) => lockoutMs(f))).toEqual([0, 0, 0, 0]);
    expect([5, 6, 7, 8].map((f) => lockoutMs(f))).toEqual([30_000, 60_000, 120_000, 240_000]);
    expect(lockoutMs(10)).toBe(DEFAULT_LOCKOUT.maxLockMs);
    expect(lockoutMs(1_000_000)).toBe(DEFAULT_LOCKOUT.maxLockMs);
  });
});
