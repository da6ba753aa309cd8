/**
 * Who may use the station's API when it has a token. Three credentials open a WebSocket (its first message, `auth`):
 *   token    the long-lived station token — what an operator types (as `#token=…`) on another machine's browser
 *   ticket   a single-use login ticket that expires a minute after it was made: what `fieldline station` puts in
 *            the URL it prints, so neither its output nor a browser's history holds anything that still works
 *   session  what the station answers a good token or ticket with; the page keeps it for its tab to reconnect
 * Tickets and sessions are random 256-bit values, kept only as SHA-256 digests and in memory: a restart ends them.
 * Every failure counts against the peer's address (auth-limiter.ts) and a locked-out address is not checked at all.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { createAuthLimiter, type AuthLimiter, type AuthLimiterOptions } from './auth-limiter';

export type Credential = { kind: 'token' | 'ticket' | 'session'; secret: string };

export type AuthOutcome = { ok: true; session: string } | { ok: false; reason: 'wrong' } | { ok: false; reason: 'limited'; retryAfterMs: number };

export interface StationAuth {
  /** A new single-use login ticket, valid for `ticketMs`. */
  issueTicket(): { ticket: string; expiresAt: number };
  authenticate(credential: Credential, address: string): AuthOutcome;
  /** 0 when the address may try now (checked before a WebSocket is even accepted). */
  retryAfterMs(address: string): number;
}

export interface StationAuthOptions {
  token: string;
  /** How long a ticket is good for (default 60 s). */
  ticketMs?: number;
  /** How long a session lasts (default 24 h: a shift and then some; a restart ends it sooner). */
  sessionMs?: number;
  limiter?: AuthLimiterOptions;
  now?: () => number;
}

/** At most this many unused tickets and live sessions are remembered; the oldest go first. */
const MAX_TICKETS = 64;
const MAX_SESSIONS = 1024;

const digest = (text: string): Buffer => createHash('sha256').update(text).digest();

/** Constant-time comparison (over digests, so the lengths match). */
export function tokenMatches(given: string, expected: string): boolean {
  return timingSafeEqual(digest(given), digest(expected));
}

/** A store of secrets by digest, each with an expiry; bounded, oldest first out. */
function secretSet(max: number): { add(secret: string, expiresAt: number): void; take(secret: string, at: number, consume: boolean): boolean } {
  const entries = new Map<string, number>();
  return {
    add(secret, expiresAt) {
      entries.set(digest(secret).toString('hex'), expiresAt);
      while (entries.size > max) {
        const oldest = entries.keys().next().value;
        if (oldest === undefined) break;
        entries.delete(oldest);
      }
    },
    take(secret, at, consume) {
      // Looked up by the digest of a 256-bit random value: timing says nothing useful about another value's digest.
      const key = digest(secret).toString('hex');
      const expiresAt = entries.get(key);
      if (expiresAt === undefined) return false;
      if (consume || expiresAt <= at) entries.delete(key);
      return expiresAt > at;
    },
  };
}

const newSecret = (): string => randomBytes(32).toString('base64url');

export function createStationAuth(options: StationAuthOptions): StationAuth {
  const now = options.now ?? Date.now;
  const ticketMs = options.ticketMs ?? 60_000;
  const sessionMs = options.sessionMs ?? 24 * 60 * 60_000;
  const limiter: AuthLimiter = createAuthLimiter({ ...options.limiter, now });
  const tickets = secretSet(MAX_TICKETS);
  const sessions = secretSet(MAX_SESSIONS);

  const valid = (credential: Credential, at: number): boolean => {
    if (credential.kind === 'token') return tokenMatches(credential.secret, options.token);
    // A ticket is spent by its first use, right or not, so a URL seen in a log or over a shoulder is already dead.
    if (credential.kind === 'ticket') return tickets.take(credential.secret, at, true);
    return sessions.take(credential.secret, at, false);
  };

  return {
    issueTicket() {
      const ticket = newSecret();
      const expiresAt = now() + ticketMs;
      tickets.add(ticket, expiresAt);
      return { ticket, expiresAt };
    },
    authenticate(credential, address) {
      const wait = limiter.retryAfterMs(address);
      if (wait > 0) return { ok: false, reason: 'limited', retryAfterMs: wait };
      const at = now();
      if (!valid(credential, at)) {
        limiter.failed(address);
        return { ok: false, reason: 'wrong' };
      }
      limiter.succeeded(address);
      if (credential.kind === 'session') return { ok: true, session: credential.secret };
      const session = newSecret();
      sessions.add(session, at + sessionMs);
      return { ok: true, session };
    },
    retryAfterMs: (address) => limiter.retryAfterMs(address),
  };
}
