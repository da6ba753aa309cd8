/**
 * One provisioning run: identify → firmware → identity → configuration → diagnostics → finalize, each step
 * timed and recorded with its evidence, the record saved after every step (a crash leaves a `running` record
 * the next run repairs), every action in the audit log. A failure or a cancel rolls the device back; a device
 * that vanishes leaves an `interrupted` run, which the next run of the same device picks up: it keeps the first
 * run's snapshot as the state to return to, revokes its certificate and takes over its untested firmware.
 */
import { randomUUID } from 'node:crypto';
import type { Clock } from '../contract/clock';
import { FieldlineError } from '../errors';
import { silentLogger, type Logger } from '../log';
import { isDeviceGone } from '../device/gone';
import type { GatewaySession } from '../device/session';
import type { DeviceTarget, OpenTargetOptions } from '../device/target';
import type { SmpVersion } from '../smp/header';
import { renderProfile } from '../profiles/template';
import type { LoadedProfile } from '../profiles/load';
import type { ExistingIdentity } from '../profiles/schema';
import type { Signer } from '../pki/types';
import type { Store } from '../store/types';
import type { ProvisionEvents, RunContext, Step } from './context';
import { STEP_ORDER, type RunRecord, type StepName, type StepRecord } from '../contract/run-record';
import { RECORD_BOUNDS, siteSchema } from '../contract/registry/record';
import { repairRuns } from './repair';
import { rollback } from './rollback';
import { configuration } from './steps/configuration';
import { diagnostics } from './steps/diagnostics';
import { finalize } from './steps/finalize';
import { firmware } from './steps/firmware';
import { identify } from './steps/identify';
import { identity } from './steps/identity';
import { waitForDevice } from './wait-for-device';

const STEPS: Record<StepName, Step> = { identify, firmware, identity, configuration, diagnostics, finalize };
/**
 * Steps that only read or write the same values again: when a BLE link drops during one, the session reconnects and
 * the step runs again. Firmware and identity must not repeat as a whole; they survive a drop operation by
 * operation. A serial session cannot reconnect, so for it nothing changes.
 */
const REPEATABLE = new Set<StepName>(['identify', 'configuration', 'diagnostics', 'finalize']);

/** Opens the gateway (openTarget in production; a test may hand out prepared sessions). */
export type OpenSession = (target: DeviceTarget, options: OpenTargetOptions) => Promise<GatewaySession>;

export interface ProvisionOptions {
  /** Serial port of the gateway (with baudRate); or give `target`, which may also be a BLE gateway. */
  port?: string;
  baudRate?: number;
  /** The gateway however it is reached; takes precedence over port/baudRate. */
  target?: DeviceTarget;
  profile: LoadedProfile;
  signer: Signer;
  store: Store;
  station: { name: string };
  /**
   * Who the run's audit entries name: `operator:NAME` when a signed-in operator started it (issue #14); default
   * `station:<station name>`, a station with no operators.
   */
  actor?: string;
  variables: Record<string, string>;
  /**
   * How the run reaches the gateway: called once at the start and again whenever the device must be re-opened (after
   * a reboot, for rollback).
   */
  openSession: OpenSession;
  /** Where the run's times (the record's and each step's start and end, upload rates) come from. */
  clock: Clock;
  logger?: Logger;
  events?: ProvisionEvents;
  signal?: AbortSignal;
  /** Replace an identity the device already holds: the same as `identityExisting: 'replace'`. */
  reprovision?: boolean;
  /** Overrides the profile's `identity.existing` for this run (a rework on the line). */
  identityExisting?: ExistingIdentity;
  /** Per-request timeout (default 3 s) and how long to wait for a rebooting device (default 60 s). */
  timeoutMs?: number;
  rebootTimeoutMs?: number;
  /** The run's id, when the caller must know it before the run starts (the app answers provision:start with it). */
  runId?: string;
  /** The serial the board's label says (a station scan): identify fails unless the device reports it. */
  expectedSerial?: string;
  /**
   * Called once every step passed, before the run's last save, so what it adds to the record (a replacement's
   * `replaces`, main/provisioning/replace.ts) is saved in one transaction with the passed outcome. Must not throw.
   */
  onPassed?: (record: RunRecord) => Promise<void>;
  /** The signed release the profile is, checked by the caller just before the run; named in the record. */
  release?: RunRecord['release'];
}

/** What a record keeps of a failure: a FieldlineError's code and message, anything else as INTERNAL. */
export function errorRecord(err: unknown): { code: string; message: string } {
  if (err instanceof FieldlineError) return { code: err.code, message: err.message };
  return { code: 'INTERNAL', message: err instanceof Error ? err.message : String(err) };
}

/**
 * Checks the profile's templates with placeholder device facts, so a missing batch variable is reported before
 * the port is even opened.
 */
export function checkVariables(profile: LoadedProfile, station: { name: string }, variables: Record<string, string>): Record<string, string> {
  const resolved = renderProfile(profile.profile, { device: { serial: 'SERIAL', firmwareVersion: '0.0.0' }, station, vars: variables }).variables;
  // The `site` variable goes into the record (the registry groups devices by it): a value the registry's edge would
  // refuse would turn the whole record into a dead letter, so it is refused here, before the device is touched.
  const site = resolved.site;
  if (site !== undefined && !siteSchema.safeParse(site).success) {
    const problem = `site=${JSON.stringify(site.slice(0, 40))}${site.length > 40 ? '…' : ''} must be 1–${RECORD_BOUNDS.siteChars} printable characters, not only blanks`;
    throw new FieldlineError('TEMPLATE_VARIABLE_INVALID', problem, { problems: [problem] });
  }
  return resolved;
}

export async function runProvisioning(options: ProvisionOptions): Promise<RunRecord> {
  const logger = options.logger ?? silentLogger;
  const signal = options.signal ?? new AbortController().signal;
  const { site } = checkVariables(options.profile, options.station, options.variables);
  const clock = options.clock;
  let target = runTarget(options);
  // The device's SMP version, learned on the first session, holds for the sessions re-opened after its reboots.
  const versionCache = new Map<string, SmpVersion>();
  const open = (): Promise<GatewaySession> =>
    options.openSession(target, { logger, versionCache, ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}) });
  const session = await open();
  // A BLE gateway named by its advertised name is re-opened (after a reboot, for rollback) by the address it was found
  // at: gateways on a line may share a name, and the run must come back to the same one.
  if (target.kind === 'ble') target = { ...target, selector: session.location };
  // Where the device is, as the record keeps it: the port path, or the BLE address (also when a name was given).
  const location = session.location;

  const p = options.profile;
  const record: RunRecord = {
    id: options.runId ?? randomUUID(),
    device: { serial: '', port: location },
    profile: { name: p.profile.name, version: p.profile.version, sha256: p.sha256 },
    ...(options.release ? { release: options.release } : {}),
    ...(site !== undefined ? { site } : {}),
    station: options.station,
    variables: options.variables,
    startedAt: clock.now().toISOString(),
    endedAt: '',
    outcome: 'running',
    steps: [],
    diagnostics: [],
  };
  // Audit lines wait for the record's next save and go into its transaction (in order): one commit — one fsync — per
  // step instead of two. Every audit call comes once the device is known, and a save always follows.
  const pendingAudit: Array<{ actor: string; action: string; subject: string; details: Record<string, unknown> }> = [];
  const actor = options.actor ?? `station:${options.station.name}`;
  const audit = (action: string, details: Record<string, unknown> = {}): void => {
    pendingAudit.push({ actor, action, subject: record.device.serial || location, details: { run: record.id, ...details } });
  };
  const save = (): void => options.store.saveRun(record, pendingAudit.splice(0));
  const ctx: RunContext = {
    session,
    waitForDevice: async (reason, timeoutMs) => {
      options.events?.onStepMessage?.(record.steps.length < STEP_ORDER.length ? (STEP_ORDER[record.steps.length] as StepName) : 'finalize', `waiting: ${reason}`);
      ctx.session = await waitForDevice(ctx.session, { timeoutMs: timeoutMs ?? options.rebootTimeoutMs ?? 60_000, open, signal, clock });
    },
    profile: p,
    signer: options.signer,
    store: options.store,
    station: options.station,
    actor,
    variables: options.variables,
    logger,
    clock,
    events: options.events ?? {},
    signal,
    identityExisting: options.identityExisting ?? (options.reprovision ? 'replace' : (p.profile.identity?.existing ?? 'fail')),
    ...(options.expectedSerial !== undefined ? { expectedSerial: options.expectedSerial } : {}),
    record,
    checkpoint: (action, details) => {
      audit(action, details);
      save();
    },
    written: { settings: new Set(), files: new Set() },
  };

  let failure: unknown;
  try {
    for (const name of STEP_ORDER) {
      if (signal.aborted) throw new FieldlineError('CANCELLED', 'run cancelled');
      ctx.events.onStepStart?.(name);
      const startedAt = clock.now().toISOString();
      let step: StepRecord;
      try {
        const evidence = REPEATABLE.has(name)
          ? await ctx.session.surviveLinkLoss(`${name} step`, () => STEPS[name](ctx), { signal })
          : await STEPS[name](ctx);
        step = { name, startedAt, endedAt: clock.now().toISOString(), outcome: 'passed', evidence };
      } catch (err) {
        step = { name, startedAt, endedAt: clock.now().toISOString(), outcome: 'failed', evidence: {}, error: errorRecord(err) };
        failure = err;
      }
      record.steps.push(step);
      if (name === 'identify' && step.outcome === 'passed') {
        if (record.steps.length === 1) audit('run.start', { profile: `${p.profile.name}@${p.profile.version}`, port: location, ...(ctx.previous ? { repairs: ctx.previous.id } : {}) });
        await supersedePrevious(ctx, actor);
        if (passedBefore(options.store, record)) record.rework = true;
      }
      // A run is only recorded once the device is known; before that there is nothing to repair or report. A passed
      // last step is saved with the run's end, in the same tick just after the loop: one commit less per run.
      if (record.device.serial) {
        audit(`step.${name}`, { outcome: step.outcome, ...(step.error ? { error: step.error.code } : {}) });
        if (!(name === STEP_ORDER.at(-1) && step.outcome === 'passed')) save();
      }
      ctx.events.onStepEnd?.(step);
      if (failure) break;
    }
  } catch (err) {
    failure = err;
  }

  // The session is closed whatever happens below: an open port keeps the process alive, and a full disk failing the
  // last save used to leave `provision` hanging after its error (issue #11).
  try {
    if (failure) {
      record.error = errorRecord(failure);
      let gone = isDeviceGone(failure);
      if (!gone && record.steps.length > 0 && ctx.serial) {
        const undone = await rollback(ctx, record.error.message);
        record.rollback = undone.record;
        audit('run.rollback', { actions: record.rollback.actions.map((a) => `${a.action}: ${a.outcome}`) });
        // The device went away during the rollback (its error's code says so): the next run of it finishes the job.
        gone = undone.cutBy !== undefined;
      }
      record.outcome = gone ? 'interrupted' : failure instanceof FieldlineError && failure.code === 'CANCELLED' ? 'cancelled' : 'failed';
      // Rollback sets it after reverting an image; without a firmware change the device still runs what it ran.
      if (!ctx.firmwareUpdate) record.device.firmwareAfter ??= ctx.firmwareBefore;
    } else {
      record.outcome = 'passed';
      if (ctx.keptCertificate) record.certificate = ctx.keptCertificate;
      record.device.firmwareAfter ??= ctx.firmwareUpdate?.version ?? ctx.firmwareBefore;
      await options.onPassed?.(record);
    }
    record.endedAt = clock.now().toISOString();
    if (record.device.serial) {
      audit('run.end', { outcome: record.outcome, ...(record.error ? { error: record.error.code } : {}) });
      saveEnd(record, save);
    }
  } finally {
    await ctx.session.close().catch(() => {});
  }
  return record;
}

/**
 * The run's last save. When the store cannot take it (a full disk, a read-only folder), the run ends with that
 * error, saying what became of the run: the device was rolled back (or passed), but the store still shows the
 * record as it was last saved — `running` — until the device's next run or `fieldline repair` repairs it.
 */
function saveEnd(record: RunRecord, save: () => void): void {
  try {
    save();
  } catch (err) {
    if (!(err instanceof FieldlineError) || !err.code.startsWith('STORE_')) throw err;
    const what =
      `run ${record.id} ended ${record.outcome} but could not be recorded; ` +
      `the next run of ${record.device.serial} (or \`fieldline repair\`) repairs its record`;
    const details = { ...err.details, runId: record.id, outcome: record.outcome };
    throw new FieldlineError(err.code, `${err.message}; ${what}`, details, { cause: err });
  }
}

function runTarget(options: ProvisionOptions): DeviceTarget {
  if (options.target) return options.target;
  if (!options.port) throw new FieldlineError('INVALID_ARGUMENT', 'provisioning needs a port or a device target');
  return { kind: 'serial', path: options.port, ...(options.baudRate ? { baudRate: options.baudRate } : {}) };
}

/**
 * Whether the unit had a passed provisioning run before this one started: the line's KPIs count this run as rework.
 * A passed field-service record (issue #16) made no unit, so it makes no rework.
 */
function passedBefore(store: Store, record: RunRecord): boolean {
  return store.listRuns({ serial: record.device.serial, kind: 'provisioning', outcome: 'passed', startedBefore: record.startedAt, limit: 1 }).length > 0;
}

/**
 * The runs of this device that did not finish (the interrupted run this one continues, a run whose process was
 * killed) gave out certificates that will not be used: revoke them and mark those runs interrupted.
 */
async function supersedePrevious(ctx: RunContext, actor: string): Promise<void> {
  const report = await repairRuns({
    store: ctx.store,
    signer: () => Promise.resolve(ctx.signer),
    actor,
    deviceSerial: ctx.record.device.serial,
    exceptRunId: ctx.record.id,
  });
  const previous = report.repaired.find((r) => r.id === ctx.previous?.id);
  if (previous?.certificate && ctx.previous?.certificate) ctx.previous.certificate.revoked = true;
}
