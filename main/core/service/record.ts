/**
 * One service action on one gateway, recorded as a service record: a run record with a `service` section, saved
 * through the store after every step as a provisioning run is (so a crash leaves a `running` record that repair
 * finds, a certificate is in the register before the device sees it, and the finished record is queued for the
 * registry in the same transaction). The steps are the provisioning pipeline's own where they fit — diagnostics,
 * firmware, finalize, identity — run on a context built the same way, and a failure is rolled back by the same
 * rollback. `before` and `after` are read back from the device; a device that vanishes leaves the record
 * `interrupted`, saying what could not be read.
 */
import { randomUUID } from 'node:crypto';
import type { Clock } from '../../contract/clock';
import type { RunRecord, ServiceAction, ServiceSection, StepName, StepRecord } from '../../contract/run-record';
import type { ServiceBasis } from '../../contract/service';
import { isDeviceGone } from '../../device/gone';
import type { GatewaySession } from '../../device/session';
import type { DeviceTarget } from '../../device/target';
import { FieldlineError } from '../../errors';
import type { Logger } from '../../log';
import type { Signer } from '../../pki/types';
import type { LoadedProfile } from '../../profiles/load';
import { DEFAULT_IDENTIFY } from '../../profiles/schema';
import { renderProfile } from '../../profiles/template';
import type { RunContext } from '../../provisioning/context';
import { rollback } from '../../provisioning/rollback';
import { errorRecord, type OpenSession } from '../../provisioning/runner';
import { readRunningVersion, readSerialWith } from '../../provisioning/steps/identify';
import { waitForDevice } from '../../provisioning/wait-for-device';
import type { SmpVersion } from '../../smp/header';
import type { Store } from '../../store/types';
import { findBasis, requireProfile, type FoundBasis } from './basis';
import { observeDevice } from './observe';
import type { ServiceSources, SourcedRun } from './sources';

export interface ServiceDeps {
  /** The station's data directory (the release gate reads the followed channel and the pulled releases from it). */
  dataDir: string;
  store: () => Store;
  /** Asked only by actions that issue or revoke (renew), before the device is opened. */
  signer: () => Promise<Signer>;
  station: { name: string };
  clock: Clock;
  logger: Logger;
  sources: ServiceSources;
  openSession: OpenSession;
}

export interface ServiceRequest {
  target: DeviceTarget;
  /** The operator the record names: the signed-in one, else the station's settings operator. */
  operator: string;
  /** Who the audit entries name (`operator:NAME`). */
  actor: string;
  timeoutMs?: number;
  rebootTimeoutMs?: number;
  signal?: AbortSignal;
}

/** A step of an action: a provisioning step, or one of the service's own, on the same context; `basis` is what it is based on. */
export type ServiceStep = (ctx: RunContext, basis: FoundBasis) => Promise<Record<string, unknown>>;

export interface ActionPlan {
  action: ServiceAction;
  needsSigner: boolean;
  steps: ReadonlyArray<{ name: StepName; run: ServiceStep }>;
  /** Checked once the device and its basis are known, before anything is recorded (a refusal writes no record). */
  check?: (ctx: RunContext, basis: FoundBasis) => Promise<void>;
}

export interface ServiceOutcome {
  record: RunRecord;
  basis: ServiceBasis;
}

/** Identity of the device before its profile is known, then by the profile's own identify when that differs. */
export async function identifyForService(
  session: GatewaySession,
  sources: ServiceSources,
): Promise<{ serial: string; firmware: string; history: SourcedRun[]; basis: FoundBasis }> {
  const serial = await readSerialWith(session, DEFAULT_IDENTIFY);
  const history = sources.history(serial);
  const basis = await findBasis(sources, serial, history);
  const identify = basis.profile?.profile.identify;
  if (identify && (identify.pattern !== DEFAULT_IDENTIFY.pattern || identify.command.join(' ') !== DEFAULT_IDENTIFY.command.join(' '))) {
    const own = await readSerialWith(session, identify);
    if (own !== basis.run.record.device.serial.toUpperCase()) {
      throw new FieldlineError('DEVICE_IDENTIFY_FAILED', `the profile's identify reads ${own}, its provisioning run names ${basis.run.record.device.serial}`);
    }
  }
  return { serial, firmware: await readRunningVersion({ session }), history, basis };
}

/** For actions that neither issue nor revoke: a bug if anything asks it to. */
const NO_SIGNER: Signer = {
  issuer: '',
  issue: () => Promise.reject(new FieldlineError('INTERNAL', 'this service action issues no certificate')),
  revoke: () => Promise.reject(new FieldlineError('INTERNAL', 'this service action revokes no certificate')),
  trustChainPem: () => {
    throw new FieldlineError('INTERNAL', 'this service action needs no trust chain');
  },
};

export async function runServiceAction(deps: ServiceDeps, request: ServiceRequest, plan: ActionPlan): Promise<ServiceOutcome> {
  const signer = plan.needsSigner ? await deps.signer() : NO_SIGNER;
  const store = deps.store();
  const { clock, station, logger } = deps;
  const signal = request.signal ?? new AbortController().signal;
  let target = request.target;
  const versionCache = new Map<string, SmpVersion>();
  const open = (): Promise<GatewaySession> =>
    deps.openSession(target, { logger, versionCache, ...(request.timeoutMs ? { timeoutMs: request.timeoutMs } : {}) });
  const session = await open();
  if (target.kind === 'ble') target = { ...target, selector: session.location };
  const location = session.location;
  const startedAt = clock.now().toISOString();

  let ctx: RunContext | undefined;
  try {
    const found = await identifyForService(session, deps.sources);
    const profile: LoadedProfile = requireProfile(found.basis);
    const basisRecord = found.basis.run.record;
    const rendered = renderProfile(profile.profile, { device: { serial: found.serial, firmwareVersion: found.firmware }, station, vars: basisRecord.variables });
    const site = basisRecord.site ?? rendered.variables.site;
    // The same object as record.service: before and after are filled in as they are read.
    const service: ServiceSection = { action: plan.action, operator: request.operator, basedOnRunId: basisRecord.id, basedOnSource: found.basis.run.source, before: {}, after: {} };
    const record: RunRecord = {
      id: randomUUID(),
      device: { serial: found.serial, port: location, firmwareBefore: found.firmware },
      profile: { name: profile.profile.name, version: profile.profile.version, sha256: profile.sha256 },
      station,
      variables: rendered.variables,
      startedAt,
      endedAt: '',
      outcome: 'running',
      steps: [],
      diagnostics: [],
      ...(site ? { site } : {}),
      service,
    };
    const pendingAudit: Array<{ actor: string; action: string; subject: string; details: Record<string, unknown> }> = [];
    const audit = (action: string, details: Record<string, unknown> = {}): void => {
      pendingAudit.push({ actor: request.actor, action, subject: found.serial, details: { run: record.id, service: plan.action, ...details } });
    };
    const save = (): void => store.saveRun(record, pendingAudit.splice(0));
    const runCtx: RunContext = {
      session,
      waitForDevice: async (reason, timeoutMs) => {
        logger.info(`waiting: ${reason}`);
        runCtx.session = await waitForDevice(runCtx.session, { timeoutMs: timeoutMs ?? request.rebootTimeoutMs ?? 60_000, open, signal, clock });
      },
      profile,
      signer,
      store,
      station,
      actor: request.actor,
      variables: rendered.variables,
      logger,
      clock,
      events: {},
      signal,
      // A service action replaces an identity only when it means to (renew): its step says so itself.
      identityExisting: 'replace',
      record,
      checkpoint: (action, details) => {
        audit(action, details);
        save();
      },
      written: { settings: new Set(), files: new Set() },
      serial: found.serial,
      firmwareBefore: found.firmware,
      rendered,
    };
    ctx = runCtx;
    await plan.check?.(runCtx, found.basis);

    const identifyStep: StepRecord = {
      name: 'identify',
      startedAt,
      endedAt: clock.now().toISOString(),
      outcome: 'passed',
      evidence: {
        serial: found.serial,
        firmware: found.firmware,
        basis: { runId: basisRecord.id, source: found.basis.run.source, profile: `${profile.profile.name}@${profile.profile.version}`, foundAt: found.basis.info.profileFound },
      },
    };
    service.before = await observeDevice(runCtx.session, profile, rendered);
    record.steps.push(identifyStep);
    audit('service.start', { basedOn: basisRecord.id, profile: `${profile.profile.name}@${profile.profile.version}` });
    save();

    const failure = await runSteps(runCtx, found.basis, plan, audit, save);
    let gone = false;
    if (failure) {
      record.error = errorRecord(failure);
      gone = isDeviceGone(failure);
      if (!gone && (runCtx.firmwareUpdate || runCtx.identity?.touchedDevice || runCtx.written.settings.size > 0 || runCtx.written.files.size > 0)) {
        const undone = await rollback(runCtx, record.error.message);
        record.rollback = undone.record;
        audit('service.rollback', { actions: undone.record.actions.map((a) => `${a.action}: ${a.outcome}`) });
        gone = undone.cutBy !== undefined;
      }
      record.outcome = gone ? 'interrupted' : failure instanceof FieldlineError && failure.code === 'CANCELLED' ? 'cancelled' : 'failed';
    } else {
      record.outcome = 'passed';
    }
    const after = gone ? { unread: `the device went away (${record.error?.code ?? 'gone'}): its state after the action is not known` } : await readAfter(runCtx, profile);
    service.after = after;
    const firmware = (after.firmware as { version?: string } | null | undefined)?.version;
    if (firmware) record.device.firmwareAfter = firmware;
    record.endedAt = clock.now().toISOString();
    audit('service.end', { outcome: record.outcome, ...(record.error ? { error: record.error.code } : {}) });
    save();
    return { record, basis: found.basis.info };
  } finally {
    // The context's session is the current one: a reboot during the action re-opened the device.
    await (ctx?.session ?? session).close().catch(() => {});
  }
}

/** Each step recorded with its evidence and saved; the first failure ends the action and is answered. */
async function runSteps(ctx: RunContext, basis: FoundBasis, plan: ActionPlan, audit: (action: string, details?: Record<string, unknown>) => void, save: () => void): Promise<unknown> {
  for (const step of plan.steps) {
    const startedAt = ctx.clock.now().toISOString();
    let recorded: StepRecord;
    let failure: unknown;
    try {
      if (ctx.signal.aborted) throw new FieldlineError('CANCELLED', 'service action cancelled');
      const evidence = await step.run(ctx, basis);
      recorded = { name: step.name, startedAt, endedAt: ctx.clock.now().toISOString(), outcome: 'passed', evidence };
    } catch (err) {
      failure = err;
      recorded = { name: step.name, startedAt, endedAt: ctx.clock.now().toISOString(), outcome: 'failed', evidence: {}, error: errorRecord(err) };
    }
    ctx.record.steps.push(recorded);
    audit(`service.step.${step.name}`, { outcome: recorded.outcome, ...(recorded.error ? { error: recorded.error.code } : {}) });
    save();
    if (failure) return failure;
  }
  return undefined;
}

/** The device after the action, read back; a device that went away while being read is said so, not guessed. */
async function readAfter(ctx: RunContext, profile: LoadedProfile): Promise<Record<string, unknown>> {
  try {
    return await observeDevice(ctx.session, profile, ctx.rendered);
  } catch (err) {
    if (!isDeviceGone(err) && !(err instanceof FieldlineError)) throw err;
    return { unread: `the device could not be read back: ${errorRecord(err).message}` };
  }
}
