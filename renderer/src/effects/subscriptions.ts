/**
 * The contract's events into the stores, subscribed once. Run events (run:progress above all: 256 devices × 10 a
 * second) go through the frame batcher and reach the runs store as one update per frame; the rest are rare and are
 * applied as they come.
 */
import type { FieldlineApi, Unsubscribe } from '../../../main/contract/api';
import { devicesStore } from '../state/devices';
import { lineStore } from '../state/line';
import { queueStore } from '../state/queue';
import type { RunEvent } from '../state/run-view';
import { runsStore } from '../state/runs';
import { settingsStore } from '../state/settings';
import { stationStore } from '../state/station';
import { createBatcher, type Batcher, type Schedule } from './batcher';

export function createRunBatcher(schedule: Schedule): Batcher<RunEvent> {
  return createBatcher<RunEvent>((events) => runsStore.getState().applyEvents(events), {
    schedule,
    groupOf: (event) => event.payload.runId,
    coalesceKey: (event) => (event.name === 'run:progress' ? event.payload.step : undefined),
  });
}

export interface SubscriptionHooks {
  /** A run ended: the run view re-reads its record (rollback, certificate). */
  onRunFinished(runId: string): void;
  /** The profile list changed on the Node side. */
  onProfilesChanged(): void;
}

export function subscribeEvents(api: FieldlineApi, runs: Batcher<RunEvent>, hooks: SubscriptionHooks): Unsubscribe {
  const devices = (): ReturnType<typeof devicesStore.getState> => devicesStore.getState();
  const offs: Unsubscribe[] = [
    api.on['device:attached']((device) => devices().attached(device)),
    api.on['device:detached'](({ id }) => devices().detached(id)),
    api.on['device:state']((change) => devices().stateChanged(change)),
    api.on['device:rssi']((change) => devices().rssiChanged(change)),
    api.on['run:started']((payload) => runs.push({ name: 'run:started', payload })),
    api.on['run:step']((payload) => runs.push({ name: 'run:step', payload })),
    api.on['run:progress']((payload) => runs.push({ name: 'run:progress', payload })),
    api.on['run:log']((payload) => runs.push({ name: 'run:log', payload })),
    api.on['run:diagnostic']((payload) => runs.push({ name: 'run:diagnostic', payload })),
    api.on['run:finished']((payload) => {
      runs.push({ name: 'run:finished', payload });
      hooks.onRunFinished(payload.runId);
    }),
    api.on['profiles:changed'](() => hooks.onProfilesChanged()),
    api.on['queue:state']((status) => queueStore.getState().setStatus(status)),
    api.on['station:status']((status) => stationStore.getState().setStatus(status)),
    api.on['settings:changed']((settings) => settingsStore.getState().setSettings(settings)),
    api.on['line:status']((status) => lineStore.getState().setStatus(status)),
    api.on['line:slot']((slot) => lineStore.getState().slotChanged(slot)),
    api.on['line:kpis']((kpis) => lineStore.getState().setKpis(kpis)),
  ];
  return () => {
    for (const off of offs) off();
  };
}
