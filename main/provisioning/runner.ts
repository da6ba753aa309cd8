/**
 * One provisioning run: identify → firmware → identity → configuration → diagnostics → finalize, each step
 * timed and recorded with its evidence, the record saved after every step (a crash leaves a `running` record
 * the next run repairs), every action in the audit log. A failure or a cancel rolls the device back; a device
 * that vanishes leaves an `interrupted` run, which the next run of the same device picks up: it keeps the first
 * run's snapshot as the state to return to, revokes its certificate and takes over its untested firmware.
 */
import { randomUUID } from 'node:crypto';
import { FieldlineError } from '../errors';
import { silentLogger, type Logger } from '../log';
import { GatewaySession } from '../device/session';
import { renderProfile } from '../profiles/template';
import type { LoadedProfile } from '../profiles/load';
import type { Signer } from '../pki/types';
import type { Store } from '../store/types';
import type { ProvisionEvents, RunContext, Step } from './context';
import { STEP_ORDER, type RunRecord, type StepName, type StepRecord } from './record';
import { rollback } from './rollback';
import { configuration } from './steps/configuration';
import { diagnostics } from './steps/diagnostics';
import { finalize } from './steps/finalize';
import { firmware } from './steps/firmware';
import { identify } from './steps/identify';
import { identity } from './steps/identity';
import { waitForDevice } from './wait-for-device';

const STEPS: Record<StepName, Step> = { identify, firmware, identity, configuration, diagnostics, finalize };
const DEVICE_GONE = new Set(['PORT_VANISHED', 'DEVICE_DISCONNECTED']);

export interface ProvisionOptions {
  port: string;
  baudRate?: number;
  profile: LoadedProfile;
  signer: Signer;
  store: Store;
  station: { name: string };
  variables: Record<string, string>;
  logger?: Logger;
  events?: ProvisionEvents;
  signal?: AbortSignal;
  reprovision?: boolean;
  /** Per-request timeout (default 3 s) and how long to wait for a rebooting device (default 60 s). */
  timeoutMs?: number;
  rebootTimeoutMs?: number;
  /** The run's id, when the caller must know it before the run starts (the app answers provision:start with it). */
  runId?: string;
}

function errorRecord(err: unknown): { code: string; message: string } {
  if (err instanceof FieldlineError) return { code: err.code, message: err.message };
  return { code: 'INTERNAL', message: err instanceof Error ? err.message : String(err) };
}

/**
 * Checks the profile's templates with placeholder device facts, so a missing batch variable is reported before
 * the port is even opened.
 */
export function checkVariables(profile: LoadedProfile, station: { name: string }, variables: Record<string, string>): void {
  renderProfile(profile.profile, { device: { serial: 'SERIAL', firmwareVersion: '0.0.0' }, station, vars: variables });
}

export async function runProvisioning(options: ProvisionOptions): Promise<RunRecord> {
  const logger = options.logger ?? silentLogger;
  const signal = options.signal ?? new AbortController().signal;
  checkVariables(options.profile, options.station, options.variables);
  const open = (): Promise<GatewaySession> =>
    GatewaySession.openSerial(options.port, { logger, ...(options.baudRate ? { baudRate: options.baudRate } : {}), ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}) });
  const session = await open();

  const p = options.profile;
  const record: RunRecord = {
    id: options.runId ?? randomUUID(),
    device: { serial: '', port: options.port },
    profile: { name: p.profile.name, version: p.profile.version, sha256: p.sha256 },
    station: options.station,
    variables: options.variables,
    startedAt: new Date().toISOString(),
    endedAt: '',
    outcome: 'running',
    steps: [],
    diagnostics: [],
  };
  const ctx: RunContext = {
    session,
    waitForDevice: async (reason, timeoutMs) => {
      options.events?.onProgress?.(record.steps.length < STEP_ORDER.length ? (STEP_ORDER[record.steps.length] as StepName) : 'finalize', `waiting: ${reason}`);
      ctx.session = await waitForDevice(ctx.session, { timeoutMs: timeoutMs ?? options.rebootTimeoutMs ?? 60_000, open, signal });
    },
    profile: p,
    signer: options.signer,
    store: options.store,
    station: options.station,
    variables: options.variables,
    logger,
    events: options.events ?? {},
    signal,
    reprovision: options.reprovision ?? false,
    record,
    written: { settings: new Set(), files: new Set() },
  };
  const audit = (action: string, details: Record<string, unknown> = {}): void => {
    options.store.appendAudit({ actor: `station:${options.station.name}`, action, subject: record.device.serial || options.port, details: { run: record.id, ...details } });
  };

  let failure: unknown;
  try {
    for (const name of STEP_ORDER) {
      if (signal.aborted) throw new FieldlineError('CANCELLED', 'run cancelled');
      ctx.events.onStepStart?.(name);
      const startedAt = new Date().toISOString();
      let step: StepRecord;
      try {
        const evidence = await STEPS[name](ctx);
        step = { name, startedAt, endedAt: new Date().toISOString(), outcome: 'passed', evidence };
      } catch (err) {
        step = { name, startedAt, endedAt: new Date().toISOString(), outcome: 'failed', evidence: {}, error: errorRecord(err) };
        failure = err;
      }
      record.steps.push(step);
      if (name === 'identify' && step.outcome === 'passed') {
        if (record.steps.length === 1) audit('run.start', { profile: `${p.profile.name}@${p.profile.version}`, port: options.port, ...(ctx.previous ? { repairs: ctx.previous.id } : {}) });
        await supersedePrevious(ctx, audit);
      }
      // A run is only recorded once the device is known; before that there is nothing to repair or report.
      if (record.device.serial) {
        options.store.saveRun(record);
        audit(`step.${name}`, { outcome: step.outcome, ...(step.error ? { error: step.error.code } : {}) });
      }
      ctx.events.onStepEnd?.(step);
      if (failure) break;
    }
  } catch (err) {
    failure = err;
  }

  if (failure) {
    record.error = errorRecord(failure);
    const gone = failure instanceof FieldlineError && DEVICE_GONE.has(failure.code);
    if (!gone && record.steps.length > 0 && ctx.serial) {
      record.rollback = await rollback(ctx, record.error.message);
      audit('run.rollback', { actions: record.rollback.actions.map((a) => `${a.action}: ${a.outcome}`) });
    }
    const rollbackCut = record.rollback?.actions.some((a) => a.outcome === 'failed' && /went away|unplugged|vanished|closed/.test(a.detail ?? ''));
    record.outcome = gone || rollbackCut ? 'interrupted' : failure instanceof FieldlineError && failure.code === 'CANCELLED' ? 'cancelled' : 'failed';
    // Rollback sets it after reverting an image; without a firmware change the device still runs what it ran.
    if (!ctx.firmwareUpdate) record.device.firmwareAfter ??= ctx.firmwareBefore;
  } else {
    record.outcome = 'passed';
    record.device.firmwareAfter ??= ctx.firmwareUpdate?.version ?? ctx.firmwareBefore;
  }
  record.endedAt = new Date().toISOString();
  if (record.device.serial) {
    options.store.saveRun(record);
    audit('run.end', { outcome: record.outcome, ...(record.error ? { error: record.error.code } : {}) });
  }
  await ctx.session.close().catch(() => {});
  return record;
}

/** The interrupted run this one repairs gave out a certificate that will not be used: revoke it. */
async function supersedePrevious(ctx: RunContext, audit: (action: string, details?: Record<string, unknown>) => void): Promise<void> {
  const previous = ctx.previous;
  if (!previous) return;
  if (previous.certificate && !previous.certificate.revoked) {
    await ctx.signer.revoke(previous.certificate.serial, `superseded by run ${ctx.record.id}`);
    previous.certificate.revoked = true;
  }
  previous.outcome = 'interrupted';
  ctx.store.saveRun(previous);
  audit('run.repair', { previous: previous.id });
}
