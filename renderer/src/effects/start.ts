/**
 * The renderer's effects, started once before the first render: event subscriptions, the first loads, loads when a
 * screen is entered, and a full re-read after the station connection comes back (events may have been missed).
 * Returns the function that stops them all.
 */
import type { FieldlineApi, Unsubscribe } from '../../../main/contract/api';
import type { ConnectionState } from '../bridge/web';
import { navStore, type Route } from '../state/nav';
import { profilesStore } from '../state/profiles';
import { stationStore } from '../state/station';
import { setApi } from './api';
import { animationFrameSchedule, type Schedule } from './batcher';
import { loadDevices } from './devices';
import { loadLine, sendScan } from './line';
import { prepareDrift } from './drift';
import { ensureChoiceDetails, loadProfiles } from './profiles';
import { loadQueue } from './queue';
import { loadHistory, openRun } from './runs';
import { loadSettings } from './settings';
import { loadStation } from './station';
import { createRunBatcher, subscribeEvents } from './subscriptions';
import { listenForScans, type KeySource } from './wedge';

export interface StartOptions {
  /** When batched run events are applied (default: the next animation frame). */
  schedule?: Schedule;
  /** The station connection (web bridge); absent in Electron. */
  connection?: {
    current(): ConnectionState;
    onChange(listener: (state: ConnectionState) => void): Unsubscribe;
  };
  /** Where a barcode scanner's key bursts are heard (the window); absent in tests that do not scan. */
  keys?: KeySource;
}

function openRunId(route: Route): string | undefined {
  return route.screen === 'run' || route.screen === 'report' ? route.runId : undefined;
}

/** What a screen needs read when it is entered (live screens keep themselves current through events). */
export function enterScreen(route: Route): Promise<void> {
  switch (route.screen) {
    case 'run':
    case 'report':
      return openRun(route.runId);
    case 'runs':
      return loadHistory();
    case 'profiles':
      return loadProfiles();
    case 'queue':
      return loadQueue();
    case 'settings':
      return loadSettings();
    case 'drift':
      prepareDrift();
      return Promise.resolve();
    case 'station':
      return loadLine();
    default:
      return Promise.resolve();
  }
}

export async function loadAll(): Promise<void> {
  // The line too, whatever the screen: a scan may come from any of them.
  await Promise.all([loadStation(), loadDevices(), loadProfiles().then(ensureChoiceDetails), loadQueue(), loadSettings(), loadLine()]);
}

export function startEffects(api: FieldlineApi, options: StartOptions = {}): () => void {
  setApi(api);
  const batcher = createRunBatcher(options.schedule ?? animationFrameSchedule());
  const offs: Unsubscribe[] = [];
  offs.push(
    subscribeEvents(api, batcher, {
      onRunFinished: (runId) => {
        if (openRunId(navStore.getState().route) === runId) void openRun(runId);
      },
      onProfilesChanged: () => void loadProfiles(),
    }),
  );
  offs.push(
    navStore.subscribe((state, prev) => {
      if (state.route !== prev.route) void enterScreen(state.route);
    }),
  );
  offs.push(
    profilesStore.subscribe((state, prev) => {
      if (state.choice.profilePath !== prev.choice.profilePath) void ensureChoiceDetails();
    }),
  );
  if (options.keys) offs.push(listenForScans(options.keys, (text) => void sendScan(text)));
  if (options.connection) {
    const connection = options.connection;
    stationStore.getState().setConnection(connection.current());
    offs.push(
      connection.onChange((state) => {
        const was = stationStore.getState().connection;
        stationStore.getState().setConnection(state);
        if (state === 'open' && was !== 'open') void loadAll().then(() => enterScreen(navStore.getState().route));
      }),
    );
  }
  // Over a WebSocket still connecting, the first 'open' loads everything (as every later reconnection does).
  if (!options.connection || options.connection.current() === 'open') {
    void loadAll();
    void enterScreen(navStore.getState().route);
  }
  return () => {
    for (const off of offs) off();
    batcher.dispose();
    setApi(undefined);
  };
}
