/**
 * How long an operator is locked out after wrong secrets: a few mistakes are free (a PIN mistyped on a factory
 * keypad), then each further one doubles the wait, up to a cap — long enough to make guessing a 6-digit PIN take
 * years, short enough that a technician who forgot is not locked out for the day (an admin's passwd ends it at once).
 */
export interface LockoutPolicy {
  /** Wrong secrets in a row that lock nothing. */
  freeFailures: number;
  /** The lock after the first failure beyond the free ones. */
  firstLockMs: number;
  maxLockMs: number;
}

export const DEFAULT_LOCKOUT: LockoutPolicy = { freeFailures: 4, firstLockMs: 30_000, maxLockMs: 15 * 60_000 };

/** The lock that `failures` wrong secrets in a row earn: 0 for the free ones, then first·2^k, capped. */
export function lockoutMs(failures: number, policy: LockoutPolicy = DEFAULT_LOCKOUT): number {
  const beyond = failures - policy.freeFailures;
  if (beyond <= 0) return 0;
  // The exponent is bounded before 2^k is formed: 2^1100 is Infinity, and a count can grow that far in theory.
  const k = Math.min(beyond - 1, 40);
  return Math.min(policy.firstLockMs * 2 ** k, policy.maxLockMs);
}
