/**
 * One session of the zero-touch line: the one place that wires the station orchestrator (main/station/orchestrator.ts)
 * — the port watch (USB, the virtual gateways' ports directory, fixed paths, and Bluetooth LE gateways), the station
 * rules, "passed earlier" from the store, scans — to the app's run manager, so a line run is a device and a run
 * exactly like a clicked one (same events, log, audit, store). The Station screen (main/core/line.ts) and
 * `fieldline batch` (main/cli/batch.ts) both run their line through it and only render what it reports.
 *
 * What it reports, as one stream of events: the orchestrator's slots, scans, runs starting and ending, plus what only
 * the run manager knows — the device a run is on and each step starting and ending (from its `run:step` events).
 */
import { realpath } from 'node:fs/promises';
import type { Progress } from '../contract/progress';
import type { RunRecord, StepName } from '../contract/run-record';
import type { Logger } from '../log';
import type { LoadedProfile } from '../profiles/load';
import { checkVariables } from '../provisioning/runner';
import { createOrchestrator, type Orchestrator, type Slot, type StationRules } from '../station/orchestrator';
import type { PortWatch } from '../station/port-watch';
import { previousFromStore } from '../station/previous';
import type { PendingScan, SlotBindings } from '../station/scan-book';
import type { Store } from '../store/types';
import { combineWatches, createBleWatch } from './ble-watch';
import type { DeviceDiscovery } from './devices';
import type { AppEvents } from './events';
import type { RunRelease } from './release-gate';
import type { RunManager } from './runs';

/** Which ports a session watches. */
export interface LineWatchOptions {
  /** Watch USB serial ports. */
  usb: boolean;
  /** The simulator's ports directory; false: none. */
  portsDir: string | false;
  /** Fixed port paths (`fieldline batch --ports P1,P2`), present while they exist. */
  paths?: readonly string[];
  pollMs?: number;
  logger: Logger;
}

export type CreateWatch = (options: LineWatchOptions) => PortWatch;

export type RunStepState = 'running' | 'passed' | 'failed' | 'skipped';

/** What a session reports, in the order it happens. */
export type LineSessionEvent =
  | { type: 'slot'; slot: Slot }
  | { type: 'scan'; scan: PendingScan }
  | { type: 'run-start'; port: string; runId: string; bindings?: SlotBindings }
  /** The run manager took the run: the device (in discovery) it runs on. */
  | { type: 'run-device'; port: string; runId: string; deviceId: string }
  /** A step starting or ending; while it runs, also what it is doing in words (`message`). */
  | { type: 'step'; port: string; runId: string; step: StepName; state: RunStepState; error?: { code: string; message: string }; message?: string }
  /** How far the step's transfer is (the firmware upload), already throttled where it is measured. */
  | { type: 'progress'; port: string; runId: string; step: StepName; progress: Progress }
  /** The run's final record, as the store saved it (or the orchestrator's record of a run that could not start). */
  | { type: 'run-end'; port: string; record: RunRecord };

export interface LineSessionRequest {
  profilePath: string;
  profile: LoadedProfile;
  /** The release the profile is: named in every run record of the session. */
  release?: RunRelease;
  concurrency: number;
  variables: Record<string, string>;
  requireScan: boolean;
  ble: boolean;
  rework?: 'keep' | 'replace';
  watch: Omit<LineWatchOptions, 'logger'>;
  rules?: StationRules;
  /** Start at most this many runs (`fieldline batch --count`). */
  maxRuns?: number;
  /** Who started the session (`operator:NAME`): its runs' audit entries name them. */
  actor?: string;
}

export interface LineSessionDeps {
  events: AppEvents;
  devices: DeviceDiscovery;
  runs: RunManager;
  store: Store;
  station: { name: string };
  logger: Logger;
  createWatch: CreateWatch;
  /** A run whose port vanished is cancelled after this long (default: the orchestrator's 70 s). */
  goneAbortMs?: number;
}

export interface LineSession {
  readonly orchestrator: Orchestrator;
  /** Stops the orchestrator (the runs under way are cancelled and roll back) and waits for its runs. */
  stop(): Promise<void>;
}

/** The device in discovery behind a watched port: same path, else same device node (the ports directory's links), else added. */
async function deviceFor(devices: DeviceDiscovery, path: string): Promise<{ id: string }> {
  const present = devices.list().filter((d) => d.state !== 'gone');
  const same = present.find((d) => d.path === path);
  if (same) return same;
  const real = await realpath(path).catch(() => undefined);
  if (real !== undefined) {
    for (const d of present) {
      if ((await realpath(d.path).catch(() => undefined)) === real) return d;
    }
  }
  return devices.addPort(path);
}

/** Wires the session and starts nothing: `orchestrator.start()` does. */
export function createLineSession(deps: LineSessionDeps, request: LineSessionRequest, report: (event: LineSessionEvent) => void): LineSession {
  const { devices, runs, store, logger } = deps;
  const { profile, rework } = request;
  /** The session's runs under way, by id: the port each runs in, for its step events. */
  const portOfRun = new Map<string, string>();
  const ports = deps.createWatch({ ...request.watch, logger: logger.child('ports') });
  // A BLE gateway's slot is its address; it is "unplugged" when discovery stops hearing it.
  const watch = request.ble ? combineWatches([ports, createBleWatch({ devices, events: deps.events, logger: logger.child('ble') })]) : ports;
  const orchestrator = createOrchestrator({
    watch,
    concurrency: request.concurrency,
    maxRuns: request.maxRuns,
    rules: request.rules,
    profile: { name: profile.profile.name, version: profile.profile.version, sha256: profile.sha256 },
    station: deps.station,
    variables: request.variables,
    requireScan: request.requireScan,
    checkVariables: (v) => checkVariables(profile, deps.station, v),
    // A gateway that passed with this profile (this session, an earlier one, a batch, or a click) is not provisioned
    // twice, unless this is a rework session.
    previousResult: rework ? undefined : previousFromStore(store, { name: profile.profile.name, sha256: profile.sha256 }),
    goneAbortMs: deps.goneAbortMs,
    logger: logger.child('orchestrator'),
    provision: async ({ port, runId, signal, variables, expectedSerial }) => {
      const device = await deviceFor(devices, port.path);
      await runs.start(
        { deviceId: device.id, profilePath: request.profilePath, variables, identityExisting: rework },
        { runId, signal, profile, ...(request.release ? { release: request.release } : {}), auditAction: 'line.provision', expectedSerial, actor: request.actor },
      );
      report({ type: 'run-device', port: port.path, runId, deviceId: device.id });
      return runs.finished(runId);
    },
  });
  // The run manager publishes every run's steps and progress: the session reports those of its own runs, by port.
  const offStep = deps.events.on('run:step', (step) => {
    const port = portOfRun.get(step.runId);
    if (port === undefined) return;
    report({ type: 'step', port, runId: step.runId, step: step.step, state: step.state, error: step.error, message: step.message });
  });
  const offProgress = deps.events.on('run:progress', ({ runId, step, ...progress }) => {
    const port = portOfRun.get(runId);
    if (port !== undefined) report({ type: 'progress', port, runId, step, progress });
  });
  orchestrator.on('run-start', ({ port, runId }) => {
    portOfRun.set(runId, port);
    report({ type: 'run-start', port, runId, bindings: orchestrator.slots().find((s) => s.port === port)?.bindings });
  });
  orchestrator.on('slot', (slot) => report({ type: 'slot', slot }));
  orchestrator.on('scan', (scan) => report({ type: 'scan', scan }));
  orchestrator.on('run-end', ({ port, record }) => {
    portOfRun.delete(record.id);
    report({ type: 'run-end', port, record });
  });
  return {
    orchestrator,
    async stop() {
      try {
        await orchestrator.stop();
      } finally {
        offStep();
        offProgress();
      }
    },
  };
}
