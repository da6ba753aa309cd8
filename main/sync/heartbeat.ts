/**
 * The heartbeat a station sends after each sync pass that reached the registry: its version, its queue, its newest
 * provisioning run and the line session it has open. Read from the store and the outbox as they are at that moment, so nothing
 * of it is kept between passes; a value that does not fit the contract's bounds is cut to fit rather than sending
 * a heartbeat the registry would refuse.
 */
import type { Heartbeat } from '../contract/registry/fleet';
import type { Store } from '../store/types';
import type { Outbox } from './outbox';

/** What the sender knows of the line's open session, when it knows one (the app; `fieldline sync` does not). */
export type LineSessionReport = () => Heartbeat['lineSession'];

export interface HeartbeatSources {
  version: string;
  store: Pick<Store, 'listRuns'>;
  outbox: Pick<Outbox, 'counts'>;
  lineSession?: LineSessionReport;
}

const cut = (text: string, max: number): string => (text.length > max ? text.slice(0, max) : text);

export function collectHeartbeat({ version, store, outbox, lineSession }: HeartbeatSources): Heartbeat {
  const counts = outbox.counts();
  // The newest provisioning run: a field-service record (issue #16) is no run of the line, and the fleet's figures
  // count provisioning runs only.
  const [last] = store.listRuns({ limit: 1, kind: 'provisioning' });
  const session = lineSession?.() ?? null;
  return {
    version: cut(version, 64) || 'unknown',
    queue: { pending: counts.pending + counts.inFlight, deadLetter: counts.deadLetter },
    lastRun: last ? { id: cut(last.id, 64), at: last.startedAt, outcome: last.outcome } : null,
    lineSession: session ? { ...session, profile: cut(session.profile, 200) || 'unnamed' } : null,
  };
}
