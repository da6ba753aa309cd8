/**
 * The renderer's effects, started once before the first render: event subscriptions, the first loads, loads when a
 * screen is entered, and a full re-read after the station connection comes back (events may have been missed).
 * On a station with operators the session comes first: nothing else is read until someone has signed in here, and
 * everything is read again after each sign-in. Returns the function that stops them all.
 */
import type { FieldlineApi, Unsubscribe } from '../../../main/contract/api';
import type { ConnectionState } from '../bridge/web';
import { alertsStore } from '../state/alerts';
import { lineStore } from '../state/line';
import { navStore, type Route } from '../state/nav';
import { mustSignIn, sessionStore } from '../state/session';
import { profilesStore } from '../state/profiles';
import { settingsStore } from '../state/settings';
import { stationStore } from '../state/station';
import { setApi } from './api';
import { animationFrameSchedule, type Schedule } from './batcher';
import { loadDevices } from './devices';
import { runDoctor } from './doctor';
import { loadLine, sendScan } from './line';
import { inspectDevice, openPageOnConnect } from './device-page';
import { prepareDrift } from './drift';
import { ensureChoiceDetails, loadProfiles } from './profiles';
import { loadQueue } from './queue';
import { loadHistory, openRun } from './runs';
import { loadSession, startIdleLock, type ActivitySource, type IdleLockOptions } from './session';
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
  /** Where the user's input is heard for the idle lock (the window), and its clock; absent: no idle lock here. */
  idle?: Omit<IdleLockOptions, 'activity'> & { activity: ActivitySource };
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
    case 'doctor':
      return runDoctor();
    case 'drift':
      return prepareDrift();
    case 'device':
      return inspectDevice(route.deviceId);
    case 'station':
      return loadLine();
    default:
      return Promise.resolve();
  }
}

export async function loadAll(): Promise<void> {
  // The line too, whatever the screen: a scan may come from any of them. The doctor too (at start, after each
  // sign-in, after a reconnection): its banner says when this machine fails a check, whatever the screen.
  await Promise.all([loadStation(), loadDevices(), loadProfiles().then(ensureChoiceDetails), loadQueue(), loadSettings(), loadLine(), runDoctor({ quiet: true })]);
}

/** The session first; then everything, unless the sign-in screen is all this window may see. */
async function loadAllSignedIn(): Promise<void> {
  const session = await loadSession();
  if (mustSignIn(session)) return;
  await Promise.all([loadAll(), enterScreen(navStore.getState().route)]);
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
  offs.push(openPageOnConnect());
  if (options.keys) offs.push(listenForScans(options.keys, (text) => void sendScan(text)));
  offs.push(api.on['session:changed']((session) => sessionStore.getState().setSession(session)));
  offs.push(
    sessionStore.subscribe((state, prev) => {
      // Signed in (or in as someone else): what this operator may see is read afresh, and a rework the last one chose
      // is not carried over to them.
      const who = state.session?.operator?.name;
      if (who === prev.session?.operator?.name) return;
      profilesStore.getState().setReprovision(false);
      lineStore.getState().choose({ rework: undefined });
      // The first answer is loadAllSignedIn's to act on.
      if (who !== undefined && prev.session !== undefined) void loadAll().then(() => enterScreen(navStore.getState().route));
    }),
  );
  offs.push(
    alertsStore.subscribe((state, prev) => {
      // Refused for want of a sign-in (the idle lock passed, or the station was claimed while open): ask again.
      if (state.alerts !== prev.alerts && state.alerts.some((a) => a.error.code === 'OPERATOR_SIGN_IN_REQUIRED' && !prev.alerts.includes(a))) void loadSession();
    }),
  );
  offs.push(
    settingsStore.subscribe((state, prev) => {
      // An admin changed the idle lock (here or elsewhere): the session says what is in force now.
      const minutes = state.settings?.idleLockMinutes;
      if (minutes !== undefined && prev.settings !== undefined && minutes !== prev.settings.idleLockMinutes) void loadSession();
    }),
  );
  if (options.idle) offs.push(startIdleLock(options.idle));
  if (options.connection) {
    const connection = options.connection;
    stationStore.getState().setConnection(connection.current());
    offs.push(
      connection.onChange((state) => {
        const was = stationStore.getState().connection;
        stationStore.getState().setConnection(state);
        if (state === 'open' && was !== 'open') void loadAllSignedIn();
      }),
    );
  }
  // Over a WebSocket still connecting, the first 'open' loads everything (as every later reconnection does).
  if (!options.connection || options.connection.current() === 'open') void loadAllSignedIn();
  return () => {
    for (const off of offs) off();
    batcher.dispose();
    setApi(undefined);
  };
}
