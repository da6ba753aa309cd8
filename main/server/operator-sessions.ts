/**
 * Which operator session (main/app/operator-session.ts) a WebSocket connection's calls go to. On a station with a
 * token, the tab's station session (station-auth.ts: what it reconnects with) carries its operator: a dropped
 * connection or a reload comes back signed in as before — the idle lock still runs on the server while it is away.
 * Without a token there is no station session to carry anything, and each connection has an operator session of its
 * own, ended with it. Keyed by the digest of the station session, as station-auth keeps them; bounded, oldest first
 * out (and signed out).
 */
import { createHash } from 'node:crypto';
import { createDispatch, type Dispatch, type DispatchOptions } from '../contract/dispatch';
import type { SessionState } from '../contract/session';
import type { AppSession } from '../app';

/** The operator session of one connection, as the connection sees it. */
export interface ConnectionSession {
  /** Events go only to a session that may see them: someone signed in, or a station without operators. */
  mayListen(): boolean;
  onChange(listener: (state: SessionState) => void): () => void;
}

/** A connection's calls and session; `release` when the connection closes. */
export interface SessionAttachment {
  dispatch: Dispatch;
  session?: ConnectionSession;
  release(): void;
}

/** `stationSession`: the secret station-auth answered the connection's credential with; undefined without a token. */
export type AttachSession = (stationSession: string | undefined) => SessionAttachment;

export interface SessionTableOptions {
  /** Absent (stubs in tests and benchmarks): every connection shares `sharedDispatch`. */
  openSession?: () => AppSession;
  sharedDispatch: Dispatch;
  dispatchOptions: DispatchOptions;
  /** Operator sessions kept for station sessions (default 1024, as many as station-auth keeps). */
  max?: number;
}

const keyOf = (secret: string): string => createHash('sha256').update(secret).digest('hex');

export function createSessionTable(options: SessionTableOptions): { attach: AttachSession; close(): void } {
  const { openSession } = options;
  const max = options.max ?? 1024;
  const kept = new Map<string, { session: AppSession; dispatch: Dispatch }>();

  const open = (openOne: () => AppSession): { session: AppSession; dispatch: Dispatch } => {
    const session = openOne();
    return { session, dispatch: createDispatch(session.handlers, options.dispatchOptions) };
  };

  const attach: AttachSession = (stationSession) => {
    if (!openSession) return { dispatch: options.sharedDispatch, release: () => {} };
    if (stationSession === undefined) {
      const own = open(openSession);
      return { dispatch: own.dispatch, session: own.session, release: () => own.session.close() };
    }
    const key = keyOf(stationSession);
    const entry = kept.get(key) ?? open(openSession);
    // Most recently used last, so the oldest is the first out.
    kept.delete(key);
    kept.set(key, entry);
    while (kept.size > max) {
      const [oldestKey, oldest] = kept.entries().next().value as [string, { session: AppSession }];
      kept.delete(oldestKey);
      oldest.session.close();
    }
    return { dispatch: entry.dispatch, session: entry.session, release: () => {} };
  };

  return {
    attach,
    close() {
      for (const { session } of kept.values()) session.close();
      kept.clear();
    },
  };
}
