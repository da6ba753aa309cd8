/**
 * How fast one address may guess the station token. Every failed authentication from an address counts; after
 * `freeFailures` (a technician's typos) the address is locked out for `baseMs`, doubling with each further failure up
 * to `capMs`. A locked-out address is refused without its credential being looked at (HTTP 429 with Retry-After on
 * the WebSocket upgrade, close 4429 on an open socket), so the lockout bounds guesses, not just answers: with the
 * defaults, 5 at once and then about one a minute per address. A right credential resets its address; other
 * addresses are never held back, so a guesser cannot lock the line's own browsers out.
 *
 * State is per address, bounded (`maxAddresses`, oldest forgotten first) and forgotten after `forgetMs` without a
 * failure. IPv6 peers are counted per /64, since one host may own all of it.
 */
import { isIP } from 'node:net';

export interface AuthLimiterOptions {
  /** Failures before the first lockout (default 5). */
  freeFailures?: number;
  /** First lockout (default 1 s); each further failure doubles it. */
  baseMs?: number;
  /** Longest lockout (default 60 s). */
  capMs?: number;
  /** An address with no failure for this long starts afresh (default 15 min). */
  forgetMs?: number;
  /** Addresses remembered at most (default 4096). */
  maxAddresses?: number;
  now?: () => number;
}

export interface AuthLimiter {
  /** 0 when `address` may try now, else how long it must wait. */
  retryAfterMs(address: string): number;
  failed(address: string): void;
  succeeded(address: string): void;
  /** Addresses remembered (tests). */
  size(): number;
}

interface Entry {
  failures: number;
  lastFailure: number;
  lockedUntil: number;
}

/** The key an address is counted under: IPv4 as is (also when IPv4-mapped), IPv6 by its /64. */
export function addressKey(remote: string | undefined): string {
  if (!remote) return 'unknown';
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(remote);
  if (mapped?.[1]) return mapped[1];
  if (isIP(remote) !== 6) return remote;
  const [head = '', tail = ''] = remote.toLowerCase().split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = remote.includes('::') ? [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right] : left;
  return `${groups.slice(0, 4).map((g) => g.replace(/^0+(?=.)/, '')).join(':')}::/64`;
}

export function createAuthLimiter(options: AuthLimiterOptions = {}): AuthLimiter {
  const freeFailures = options.freeFailures ?? 5;
  const baseMs = options.baseMs ?? 1000;
  const capMs = options.capMs ?? 60_000;
  const forgetMs = options.forgetMs ?? 15 * 60_000;
  const maxAddresses = options.maxAddresses ?? 4096;
  const now = options.now ?? Date.now;
  // Insertion order is age order: an entry is re-inserted on each failure, so the first is the stalest.
  const entries = new Map<string, Entry>();

  const current = (address: string, at: number): Entry | undefined => {
    const entry = entries.get(address);
    if (entry && at - entry.lastFailure >= forgetMs && at >= entry.lockedUntil) {
      entries.delete(address);
      return undefined;
    }
    return entry;
  };

  return {
    retryAfterMs(address) {
      const at = now();
      const entry = current(address, at);
      return entry ? Math.max(0, entry.lockedUntil - at) : 0;
    },
    failed(address) {
      const at = now();
      const entry = current(address, at) ?? { failures: 0, lastFailure: at, lockedUntil: 0 };
      entry.failures += 1;
      entry.lastFailure = at;
      if (entry.failures >= freeFailures) {
        // 2^30 ms is far past any cap: the exponent is bounded so the number stays finite.
        const lockout = Math.min(capMs, baseMs * 2 ** Math.min(30, entry.failures - freeFailures));
        entry.lockedUntil = at + lockout;
      }
      entries.delete(address);
      entries.set(address, entry);
      while (entries.size > maxAddresses) {
        const oldest = entries.keys().next().value;
        if (oldest === undefined) break;
        entries.delete(oldest);
      }
    },
    succeeded(address) {
      entries.delete(address);
    },
    size: () => entries.size,
  };
}
