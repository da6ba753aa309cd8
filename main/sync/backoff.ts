/**
 * How long to wait before trying the registry again. Exponential backoff with full jitter (a random delay between
 * 0 and min(cap, base × 2^failures)): stations that lost the registry at the same moment do not come back in step
 * and hammer it together. A Retry-After from the registry wins over the computed delay — it knows its own load.
 */

export interface BackoffPolicy {
  /** First ceiling, ms (default 1 s). */
  baseMs: number;
  /** Largest ceiling, ms (default 5 min). */
  capMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 1000, capMs: 5 * 60_000 };

/** The longest Retry-After honoured: a registry asking for more is more likely wrong than overloaded for a day. */
export const MAX_RETRY_AFTER_MS = 60 * 60_000;

/** Delay after `failures` consecutive failures (1 for the first), with `random` in [0, 1). */
export function backoffDelay(failures: number, policy: BackoffPolicy = DEFAULT_BACKOFF, random: () => number = Math.random): number {
  const exponent = Math.min(Math.max(failures - 1, 0), 30);
  const ceiling = Math.min(policy.capMs, policy.baseMs * 2 ** exponent);
  return Math.floor(random() * ceiling);
}

/**
 * A Retry-After header as a delay in ms: delta-seconds ("120") or an HTTP-date, relative to `nowMs`. undefined
 * for a missing or unreadable value; a date in the past is 0; at most MAX_RETRY_AFTER_MS.
 */
export function parseRetryAfter(value: string | null | undefined, nowMs: number): number | undefined {
  if (value === null || value === undefined) return undefined;
  const text = value.trim();
  if (text === '') return undefined;
  let ms: number;
  if (/^\d+$/.test(text)) {
    ms = Number(text) * 1000;
  } else {
    // All three HTTP-date forms start with a day name; Date.parse alone would read "1.5" as a date in 2001.
    if (!/^(Mon|Tue|Wed|Thu|Fri|Sat|Sun)[a-z]*,? /.test(text)) return undefined;
    const at = Date.parse(text);
    if (Number.isNaN(at)) return undefined;
    ms = at - nowMs;
  }
  return Math.min(Math.max(ms, 0), MAX_RETRY_AFTER_MS);
}
