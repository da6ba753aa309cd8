/**
 * Identify: who the device is (serial from its shell, `hwinfo devid` by default), what it runs, and — before
 * anything is written — a snapshot of every setting and file the profile will touch, which rollback restores.
 * When the device's previous run was interrupted, that run's snapshot is the true "before" and is kept.
 */
import { FieldlineError } from '../../errors';
import { readConfiguration } from '../../device/read-config';
import { readState } from '../../smp/groups/image';
import { shellExec } from '../../smp/groups/shell';
import { renderProfile } from '../../profiles/template';
import type { RunContext, Snapshot, Step } from '../context';

const hex = (b: Uint8Array | undefined): string | null => (b === undefined ? null : Buffer.from(b).toString('hex'));

export async function readSerial(ctx: Pick<RunContext, 'session' | 'profile'>): Promise<string> {
  return readSerialWith(ctx.session, ctx.profile.profile.identify);
}

/** The serial by an identify spec, for a caller that has no profile yet (a service visit finds it from the serial). */
export async function readSerialWith(session: RunContext['session'], identify: { command: string[]; pattern: string }): Promise<string> {
  const { command, pattern } = identify;
  // Identify only reads: a lost frame on this, the run's very first request, is asked again after the run's
  // per-request timeout, not the 10 s a shell command that does work may need (issue #11).
  const r = await shellExec(session.client, command, { readOnly: true, timeoutMs: session.client.defaultTimeoutMs });
  const m = new RegExp(pattern, 'm').exec(r.output);
  if (r.ret !== 0 || !m?.[1]) {
    throw new FieldlineError('DEVICE_IDENTIFY_FAILED', `\`${command.join(' ')}\` returned ${r.ret} and "${r.output.trim().slice(0, 120)}", which does not match ${pattern}`);
  }
  return m[1].toUpperCase();
}

export async function readRunningVersion(ctx: Pick<RunContext, 'session'>): Promise<string> {
  const active = (await readState(ctx.session.client)).find((s) => s.active);
  if (!active) throw new FieldlineError('DEVICE_IDENTIFY_FAILED', 'the device reports no active firmware image');
  return active.version;
}

function previousSnapshot(ctx: RunContext): Snapshot | undefined {
  const step = ctx.previous?.steps.find((s) => s.name === 'identify' && s.outcome === 'passed');
  return step?.evidence.snapshot as Snapshot | undefined;
}

export const identify: Step = async (ctx) => {
  const serial = await readSerial(ctx);
  // Checked before the serial goes into the record: a run recorded under the gateway's serial would become its
  // last run and hide an interrupted one that the gateway's next run must repair.
  if (ctx.expectedSerial !== undefined && ctx.expectedSerial.toUpperCase() !== serial) {
    throw new FieldlineError('DEVICE_IDENTIFY_FAILED', `the board's label says ${ctx.expectedSerial} but the gateway reports ${serial}`, {
      expectedSerial: ctx.expectedSerial,
      serial,
    });
  }
  const firmware = await readRunningVersion(ctx);
  ctx.serial = serial;
  ctx.record.device.serial = serial;

  const last = ctx.store.lastRun(serial);
  if (last && last.id !== ctx.record.id && (last.outcome === 'interrupted' || last.outcome === 'running')) {
    ctx.previous = last;
    ctx.record.previousRunId = last.id;
  }
  ctx.firmwareBefore = ctx.previous?.device.firmwareBefore ?? firmware;
  ctx.record.device.firmwareBefore = ctx.firmwareBefore;

  ctx.rendered = renderProfile(ctx.profile.profile, {
    device: { serial, firmwareVersion: firmware },
    station: ctx.station,
    vars: ctx.variables,
  });
  // The record keeps the values used, defaults included, so drift and reports can render the same profile.
  ctx.record.variables = ctx.rendered.variables;

  const inherited = previousSnapshot(ctx);
  if (inherited) {
    ctx.snapshot = inherited;
  } else {
    const current = await readConfiguration(
      ctx.session,
      ctx.rendered.settings.map((s) => s.name),
      ctx.rendered.files.map((f) => f.path),
    );
    ctx.snapshot = {
      settings: Object.fromEntries([...current.settings].map(([k, v]) => [k, hex(v)])),
      files: Object.fromEntries([...current.files].map(([k, v]) => [k, hex(v)])),
    };
  }
  return {
    serial,
    firmware,
    snapshot: ctx.snapshot,
    ...(ctx.previous ? { repairs: ctx.previous.id, snapshotFrom: inherited ? ctx.previous.id : 'device' } : {}),
  };
};
