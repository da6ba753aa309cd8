/**
 * The run manager: starts runProvisioning on a device (at most one operation per device), forwards the runner's
 * events as contract events, cancels through an AbortController, and answers for runs in memory and in the store.
 * A run's preconditions (device present and free, CA unlocked, profile valid and trusted, variables complete) are
 * checked before provision:start answers, so the usual mistakes come back as that call's error, not as a run
 * that fails a second later.
 */
import { describeError, isErrorCode, type ErrorInfo } from '../contract/errors';
import type { RunSummary } from '../contract/provisioning';
import type { CertificateStatus } from '../contract/certificate-status';
import type { RunFilter } from '../contract/runs-filter';
import type { RevokedCertificate } from '../pki/crl';
import { listRunsOptions } from '../store/run-filter';
import type { RunRecord, StepName } from '../contract/run-record';
import { prepareTarget, type DeviceTarget } from '../device/target';
import { FieldlineError } from '../errors';
import { createLogger, type Logger, type LogRecord } from '../log';
import { checkVariables } from '../provisioning/runner';
import type { ProvisionEvents } from '../provisioning/context';
import type { LoadedProfile } from '../profiles/load';
import type { Store } from '../store/types';
import type { BleRadios } from '../transport/ble/noble';
import { targetOf, type BleConfig } from './ble';
import type { RunFunction } from './runner';
import type { CaHolder } from './ca';
import { certificateStatus } from './certificate-status';
import type { DeviceDiscovery } from './devices';
import type { AppEvents } from './events';
import { LiveRun } from './live-run';
import type { ProfileForRun, ProfileLibrary } from './profiles';
import { auditUnreleased, type RunRelease } from './release-gate';

export interface RunManagerOptions {
  events: AppEvents;
  devices: DeviceDiscovery;
  /** Loads a run's profile by the name a front end gives (the app's library; the headless line's own loader). */
  profiles: Pick<ProfileLibrary, 'loadForRun'>;
  ca: CaHolder;
  store: Store;
  station: { name: string };
  /** Starts a run: the core's runner, which gives it the store and the signer. */
  run: RunFunction;
  operator: () => string;
  logger: Logger;
  /** Log lines kept per run (default 500). */
  logLines?: number;
  /** Finished runs kept in memory for their logs (default 200). */
  keepRuns?: number;
  baudRate?: number;
  timeoutMs?: number;
  rebootTimeoutMs?: number;
  /** The adapter BLE gateways are reached through (main/core/ble.ts); absent: BLE devices cannot be provisioned. */
  ble?: () => BleConfig;
  /** Whose noble instances BLE gateways are reached through: the core's (main/core/core.ts). */
  radios: BleRadios;
  /** Told whenever the number of active runs changes. */
  onActiveChange?: () => void;
  /** The station CA's revocation list, for why and when a run's certificate was revoked (default: none known). */
  revocations?: () => readonly RevokedCertificate[];
}

export interface StartRun {
  deviceId: string;
  profilePath: string;
  variables: Record<string, string>;
  reprovision?: boolean;
  /** The line's rework mode: overrides the profile's `identity.existing`. */
  identityExisting?: 'fail' | 'keep' | 'replace';
  /** On a station that follows a release channel, a profile that is not one of its releases (audited). */
  allowUnreleased?: boolean;
}

/** How a run that no click started (the line's zero-touch runs) differs from a clicked one. */
export interface StartOptions {
  /** The run's id, chosen by the caller (the orchestrator's slot knows it before the run starts). */
  runId?: string;
  /** Aborts the run like provision:cancel (the line stopping, the gateway gone too long). */
  signal?: AbortSignal;
  /** The audit entry's action (default `ui.provision`). */
  auditAction?: string;
  /** The profile loaded once for many runs (the line's), instead of reading `profilePath` again. */
  profile?: LoadedProfile;
  /** The release `profile` is, as the release gate found when it was loaded; named in the run record. */
  release?: RunRelease;
  /** The serial scanned from the board's label: the device must report this one. */
  expectedSerial?: string;
  /**
   * Who the run's audit entries name: `operator:NAME` from the core's permission check (main/core/operators.ts), for
   * the session or line that started it. Default: `operator:<the settings operator>` here, `station:NAME` in the run.
   */
  actor?: string;
}

export interface RunManager {
  start(request: StartRun, options?: StartOptions): Promise<{ runId: string }>;
  /** The run's final record once it has ended (at once for a run that already has). RUN_NOT_FOUND for an unknown one. */
  finished(runId: string): Promise<RunRecord>;
  cancel(runId: string): { cancelled: boolean };
  get(runId: string): RunRecord;
  log(runId: string): { lines: ReturnType<LiveRun['logLines']>['lines']; dropped: number };
  list(query?: RunFilter): RunSummary[];
  /** Where the run's certificate stands now (main/core/certificate-status.ts). RUN_NOT_FOUND for an unknown run. */
  certificate(runId: string): CertificateStatus;
  readonly activeCount: number;
  /** Cancels every run and waits for their rollbacks. */
  close(): Promise<void>;
}

function errorInfo(error: { code: string; message: string }): ErrorInfo {
  return isErrorCode(error.code) ? describeError(error.code, error.message) : describeError('INTERNAL', error.message);
}

function errorOf(err: unknown): { code: string; message: string } {
  if (err instanceof FieldlineError) return { code: err.code, message: err.message };
  return { code: 'INTERNAL', message: err instanceof Error ? err.message : String(err) };
}

/** What a run manager takes from a core (main/core/core.ts's Core has it all; the headless line's LineCore too). */
export interface RunManagerCore {
  readonly events: AppEvents;
  readonly station: { name: string };
  readonly ca: CaHolder;
  readonly runner: { readonly run: RunFunction };
  readonly radios: BleRadios;
  store(): Store;
}

/**
 * A run manager on a core's events, store, CA, runner and radios: the one wiring of the station services and the
 * headless line (`fieldline batch`), which differ only in what they add through `extra`.
 */
export function createCoreRunManager(
  core: RunManagerCore,
  parts: Pick<RunManagerOptions, 'devices' | 'profiles' | 'operator' | 'logger'>,
  extra: Omit<RunManagerOptions, keyof RunManagerCore | 'run' | 'devices' | 'profiles' | 'operator' | 'logger'> = {},
): RunManager {
  const { events, station, ca, radios } = core;
  return createRunManager({ events, station, ca, radios, store: core.store(), run: core.runner.run, ...parts, ...extra });
}

export function createRunManager(options: RunManagerOptions): RunManager {
  const { events, devices, store, logger } = options;
  const runs = new Map<string, LiveRun>();
  const active = new Map<string, Promise<void>>();
  const keepRuns = options.keepRuns ?? 200;

  const remember = (run: LiveRun): void => {
    runs.set(run.id, run);
    // Oldest finished runs go first; active ones are never dropped.
    for (const [id, r] of runs) {
      if (runs.size <= keepRuns) break;
      if (r.finished) runs.delete(id);
    }
  };

  /** A line in the run's log: kept with the run, sent as run:log, and written to the app's log. */
  const note = (run: LiveRun, level: LogRecord['level'], message: string, fields?: Record<string, unknown>): void => {
    const line = { at: new Date().toISOString(), level, message: message.slice(0, 4000) };
    run.log(line);
    events.emit('run:log', { runId: run.id, ...line });
    logger.child(run.id.slice(0, 8))[level](message, fields);
  };

  const runEvents = (run: LiveRun): ProvisionEvents => {
    // When each step started, for the step events that carry a message while it runs.
    const stepStarts = new Map<StepName, string>();
    return {
      onStepStart: (step) => {
        note(run, 'info', `${step}…`);
        const startedAt = new Date().toISOString();
        stepStarts.set(step, startedAt);
        events.emit('run:step', { runId: run.id, step, state: 'running', startedAt });
      },
      onStepEnd: (step) => {
        const seconds = ((Date.parse(step.endedAt) - Date.parse(step.startedAt)) / 1000).toFixed(2);
        note(run, step.outcome === 'failed' ? 'error' : 'info', `${step.name} ${step.outcome} (${seconds} s)${step.error ? ` — ${step.error.message}` : ''}`);
        run.stepEnded(step);
        if (step.name === 'identify' && run.record.device.serial) devices.setState(run.deviceId, 'provisioning', { serial: run.record.device.serial });
        events.emit('run:step', {
          runId: run.id,
          step: step.name,
          state: step.outcome,
          startedAt: step.startedAt,
          endedAt: step.endedAt,
          ...(step.error ? { error: { code: step.error.code, message: step.error.message } } : {}),
        });
      },
      // Waits and phases are step events (and log lines); the transfer's progress comes already throttled at its source.
      onStepMessage: (step, message) => {
        note(run, 'info', `${step}: ${message}`);
        events.emit('run:step', { runId: run.id, step, state: 'running', startedAt: stepStarts.get(step) ?? new Date().toISOString(), message });
      },
      onProgress: (step, progress) => events.emit('run:progress', { runId: run.id, step, ...progress }),
      onDiagnostic: (result) => {
        const value = JSON.stringify(result.value) ?? 'nothing';
        note(run, result.passed ? 'info' : 'warn', `diagnostic ${result.name}: ${result.passed ? 'pass' : 'FAIL'} (${value.slice(0, 200)}${result.unit ? ` ${result.unit}` : ''})${result.detail ? ` — ${result.detail}` : ''}`);
        run.diagnostic(result);
        events.emit('run:diagnostic', { runId: run.id, result });
      },
    };
  };

  const runLogger = (run: LiveRun): Logger =>
    createLogger(
      'run',
      (r: LogRecord) => note(run, r.level, r.message, r.fields),
      // SMP traffic is logged at debug: thousands of lines per upload, which no technician reads in a run view.
      'info',
    );

  const execute = async (run: LiveRun, target: DeviceTarget, request: StartRun, profile: LoadedProfile, release: () => void, by: Pick<StartOptions, 'expectedSerial' | 'actor' | 'release'>): Promise<void> => {
    let outcome: RunRecord['outcome'] = 'failed';
    try {
      const record = await options.run({
        runId: run.id,
        target,
        profile,
        station: options.station,
        variables: request.variables,
        reprovision: request.reprovision ?? false,
        ...(request.identityExisting ? { identityExisting: request.identityExisting } : {}),
        logger: runLogger(run),
        events: runEvents(run),
        signal: run.controller.signal,
        ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
        ...(options.rebootTimeoutMs ? { rebootTimeoutMs: options.rebootTimeoutMs } : {}),
        expectedSerial: by.expectedSerial,
        actor: by.actor,
        ...(by.release ? { release: by.release } : {}),
      });
      run.finish(record);
      outcome = record.outcome;
      for (const a of record.rollback?.actions ?? []) note(run, a.outcome === 'failed' ? 'error' : 'info', `rollback: ${a.action} — ${a.outcome}${a.detail ? ` (${a.detail})` : ''}`);
      note(run, record.outcome === 'passed' ? 'info' : 'error', `run ${record.outcome}${record.error ? `: ${record.error.message}` : ''}`);
    } catch (err) {
      run.failBeforeStart(errorOf(err));
      note(run, 'error', `run failed: ${errorOf(err).message}`);
      if (!(err instanceof FieldlineError)) logger.error('run failed with a bug', { run: run.id, error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
    } finally {
      active.delete(run.id);
      const state = outcome === 'passed' ? 'passed' : outcome === 'cancelled' ? 'idle' : 'failed';
      devices.setState(run.deviceId, state, { lastRunId: run.id, ...(run.record.device.serial ? { serial: run.record.device.serial } : {}) });
      release();
      const error = run.record.error;
      events.emit('run:finished', { runId: run.id, deviceId: run.deviceId, outcome: run.record.outcome, ...(error && run.record.outcome !== 'passed' ? { error: errorInfo(error) } : {}) });
      options.onActiveChange?.();
    }
  };

  const runTargetOf = (device: { transport: 'serial' | 'ble'; path: string }): DeviceTarget => targetOf(device, { ble: options.ble, baudRate: options.baudRate });

  /** Runs that ended, kept with their final record, for finished() callers that ask after the end. */
  const ended = new Map<string, Promise<RunRecord>>();

  return {
    async start(request, startOptions = {}) {
      // A locked CA is said now, as this call's error, not as a run that fails at the identity step.
      await options.ca.signer();
      // Then the release gate (the line's runs passed it when the line started): a profile this station may not use
      // is the answer, whatever the device.
      const loaded: ProfileForRun = startOptions.profile
        ? { profile: startOptions.profile, ...(startOptions.release ? { release: startOptions.release } : {}) }
        : await options.profiles.loadForRun(request.profilePath, { allowUnreleased: request.allowUnreleased ?? false });
      const { profile } = loaded;
      const device = devices.get(request.deviceId);
      checkVariables(profile, options.station, request.variables);
      const target = runTargetOf(device);
      // A missing Bluetooth adapter (or stopped virtual gateways) is said now too; noble is loaded here at the latest.
      await prepareTarget(target, options.radios, logger);
      // Claimed last, after every check that can fail: nothing above can leave the device claimed.
      const release = devices.claim(device.id, 'provisioning');
      if (startOptions.runId !== undefined && (runs.has(startOptions.runId) || store.getRun(startOptions.runId))) {
        release();
        throw new FieldlineError('INVALID_ARGUMENT', `run id ${startOptions.runId} is taken`);
      }
      const run = new LiveRun(device.id, device.path, profile, options.station, request.variables, options.logLines ?? 500, startOptions.runId);
      try {
        auditUnreleased(store, { actor: startOptions.actor ?? `operator:${options.operator()}`, profile, verdict: loaded, command: 'provision:start' });
        store.appendAudit({
          actor: startOptions.actor ?? `operator:${options.operator()}`,
          action: startOptions.auditAction ?? 'ui.provision',
          subject: device.path,
          details: { run: run.id, profile: `${profile.profile.name}@${profile.profile.version}` },
        });
      } catch (err) {
        release();
        throw err;
      }
      remember(run);
      devices.setState(device.id, 'provisioning', { lastRunId: run.id });
      events.emit('run:started', { runId: run.id, deviceId: device.id, profile: { name: profile.profile.name, version: profile.profile.version }, startedAt: run.record.startedAt });
      const { signal } = startOptions;
      if (signal) {
        if (signal.aborted) run.controller.abort();
        else signal.addEventListener('abort', () => run.controller.abort(), { once: true });
      }
      const execution = execute(run, target, request, profile, release, { ...startOptions, ...(loaded.release ? { release: loaded.release } : {}) });
      active.set(run.id, execution);
      ended.set(run.id, execution.then(() => run.record));
      // Bounded like the live runs: the oldest ended entries go first.
      for (const id of ended.keys()) {
        if (ended.size <= keepRuns) break;
        if (!active.has(id)) ended.delete(id);
      }
      options.onActiveChange?.();
      return { runId: run.id };
    },
    cancel(runId) {
      const run = runs.get(runId);
      if (!run) {
        if (store.getRun(runId)) return { cancelled: false };
        throw new FieldlineError('RUN_NOT_FOUND', runId);
      }
      if (run.finished || run.controller.signal.aborted) return { cancelled: false };
      run.controller.abort();
      return { cancelled: true };
    },
    finished(runId) {
      const pending = ended.get(runId);
      if (pending) return pending;
      const stored = store.getRun(runId);
      if (stored && stored.outcome !== 'running') return Promise.resolve(stored);
      return Promise.reject(new FieldlineError('RUN_NOT_FOUND', runId));
    },
    get(runId) {
      const live = runs.get(runId);
      // While running, the live record is the fresher one (the store has it only from identify on, step by step).
      if (live && !live.finished) return live.record;
      const stored = store.getRun(runId);
      if (stored) return stored;
      if (live) return live.record;
      throw new FieldlineError('RUN_NOT_FOUND', runId);
    },
    log(runId) {
      const run = runs.get(runId);
      if (run) return run.logLines();
      if (store.getRun(runId)) return { lines: [], dropped: 0 };
      throw new FieldlineError('RUN_NOT_FOUND', runId);
    },
    list(query = {}) {
      return store.listRuns(listRunsOptions(query));
    },
    certificate(runId) {
      return certificateStatus(store, options.revocations ?? (() => []), this.get(runId));
    },
    get activeCount() {
      return active.size;
    },
    async close() {
      for (const id of active.keys()) runs.get(id)?.controller.abort();
      await Promise.allSettled([...active.values()]);
    },
  };
}
