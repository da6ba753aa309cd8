/**
 * The always-visible station status, assembled from the parts, and sent as a station:status event whenever it
 * changes: runs start and end, the queue moves, the CA is unlocked, the operator changes.
 */
import type { StationStatus } from '../contract/station';
import type { AppEvents } from './events';

export interface StationStatusSources {
  events: AppEvents;
  dataDir: string;
  online: () => boolean;
  queueSize: () => number;
  activeRuns: () => number;
  operator: () => string;
  caReady: () => boolean;
}

export interface StationStatusPublisher {
  current(): StationStatus;
  /** Recomputes and emits station:status if anything changed. */
  refresh(): void;
  close(): void;
}

export function createStationStatus(sources: StationStatusSources): StationStatusPublisher {
  let last = '';
  const current = (): StationStatus => ({
    online: sources.online(),
    queueSize: sources.queueSize(),
    activeRuns: sources.activeRuns(),
    operator: sources.operator(),
    dataDir: sources.dataDir,
    caReady: sources.caReady(),
  });
  const refresh = (): void => {
    const status = current();
    const text = JSON.stringify(status);
    if (text === last) return;
    last = text;
    sources.events.emit('station:status', status);
  };
  // The queue's own event already carries what changed there; the strip follows it.
  const unsubscribe = sources.events.on('queue:state', refresh);
  return { current, refresh, close: unsubscribe };
}
