/**
 * Rollback: put the device back as it was before the run, and record what the device holds afterwards — never the
 * intent. Settings and files go back to the snapshot (rollback-settings.ts, rollback-files.ts), the issued certificate
 * is revoked, the identity slot erased (inject mode: the key files removed), and a new firmware image that was never
 * confirmed is dropped by resetting: MCUboot reverts it. Every device action is read back; its outcome is `done` only
 * when the read-back shows the state from before. Each action is attempted even if an earlier one failed.
 */
import { isDeviceGone } from '../device/gone';
import type { FieldlineError } from '../errors';
import { eraseIdentity, identityInfo } from '../smp/groups/identity';
import { readState } from '../smp/groups/image';
import { reset } from '../smp/groups/os';
import type { RunContext } from './context';
import type { RollbackRecord } from '../contract/run-record';
import { removeCreatedFile, restoreFile, type Verified } from './rollback-files';
import { restoreSettings } from './rollback-settings';

type Action = RollbackRecord['actions'][number];

function failure(action: string, err: unknown): Action {
  return { action, outcome: 'failed', detail: err instanceof Error ? err.message : String(err) };
}

async function attempt(actions: Action[], action: string, fn: () => Promise<Verified>): Promise<void> {
  try {
    actions.push({ action, ...(await fn()) });
  } catch (err) {
    actions.push(failure(action, err));
    if (isDeviceGone(err)) throw err;
  }
}

const fromHex = (hex: string | null | undefined): Uint8Array | undefined => (hex == null ? undefined : new Uint8Array(Buffer.from(hex, 'hex')));

async function rollbackSettings(ctx: RunContext, actions: Action[]): Promise<void> {
  const before = new Map([...ctx.written.settings].map((name) => [name, fromHex(ctx.snapshot?.settings[name])]));
  try {
    actions.push(...(await restoreSettings(ctx.session, before)));
  } catch (err) {
    actions.push(failure('restore settings', err));
    if (isDeviceGone(err)) throw err;
  }
}

async function rollbackFiles(ctx: RunContext, actions: Action[], paths: Iterable<string>): Promise<void> {
  for (const path of paths) {
    const before = fromHex(ctx.snapshot?.files[path]);
    if (before === undefined) await attempt(actions, `remove file ${path}`, () => removeCreatedFile(ctx.session, path));
    else await attempt(actions, `restore file ${path}`, () => restoreFile(ctx.session, path, before));
  }
}

async function eraseSlot(ctx: RunContext, slot: number): Promise<Verified> {
  await eraseIdentity(ctx.session.client, slot);
  const info = await identityInfo(ctx.session.client, slot);
  const held = [info.key ? 'a key' : '', info.cert ? 'a certificate' : '', info.chain.length ? 'a chain' : ''].filter(Boolean);
  return held.length === 0
    ? { target: `slot ${slot}`, outcome: 'done', verified: 'empty slot' }
    : { target: `slot ${slot}`, outcome: 'failed', verified: `slot still holds ${held.join(', ')}` };
}

async function revertFirmware(ctx: RunContext, update: { version: string }): Promise<Verified> {
  const active = (await readState(ctx.session.client)).find((s) => s.active);
  if (active?.confirmed && active.version === update.version) throw new Error('the new image is already confirmed; it cannot be reverted');
  await reset(ctx.session.client);
  await ctx.waitForDevice('reboot into the previous image');
  const after = (await readState(ctx.session.client)).find((s) => s.active);
  if (after) ctx.record.device.firmwareAfter = after.version;
  const verified = after ? `${after.version} active, ${after.confirmed ? 'confirmed' : 'not confirmed'}` : 'no active image reported';
  const expected = ctx.firmwareBefore;
  const back = after !== undefined && after.confirmed && after.version !== update.version && (expected === undefined || after.version === expected);
  return back
    ? { outcome: 'done', verified, detail: `running ${after.version} again` }
    : { outcome: 'failed', verified, detail: `expected ${expected ?? 'the previous image'} active and confirmed` };
}

/** What rollback did; `cutBy` is the error (the device gone: its code says so) that ended it before every action ran. */
export interface RollbackResult {
  record: RollbackRecord;
  cutBy?: FieldlineError;
}

export async function rollback(ctx: RunContext, reason: string): Promise<RollbackResult> {
  const startedAt = ctx.clock.now().toISOString();
  const actions: Action[] = [];
  let cutBy: FieldlineError | undefined;
  const identity = ctx.identity;
  try {
    if (identity?.serial) {
      await attempt(actions, 'revoke certificate', async () => {
        await ctx.signer.revoke(identity.serial, `rolled back: ${reason}`);
        if (ctx.record.certificate) ctx.record.certificate.revoked = true;
        // Not a device action: nothing to read back from the device (the CA's register says it is revoked).
        return { outcome: 'done', detail: `serial ${identity.serial} revoked in the station CA` };
      });
    }
    if (ctx.written.settings.size > 0) await rollbackSettings(ctx, actions);
    if (ctx.written.files.size > 0) await rollbackFiles(ctx, actions, ctx.written.files);
    if (identity?.touchedDevice) {
      const spec = ctx.profile.profile.identity;
      if (identity.mode === 'csr') {
        const slot = spec?.slot ?? 0;
        await attempt(actions, 'erase identity slot', () => eraseSlot(ctx, slot));
      } else if (spec?.files) {
        // This run wrote the key files: they are removed (and recorded as left on the device where they cannot be).
        const paths = [spec.files.key, spec.files.cert, ...(spec.files.chain ? [spec.files.chain] : [])];
        for (const path of paths) await attempt(actions, `remove identity file ${path}`, () => removeCreatedFile(ctx.session, path));
      }
    }
    const update = ctx.firmwareUpdate;
    if (update) await attempt(actions, 'revert firmware', () => revertFirmware(ctx, update));
  } catch (err) {
    // Only an error that means the device is gone gets here (attempt() records and keeps going on any other): what is
    // left is recorded, and the next run of this device repairs it.
    if (!isDeviceGone(err)) throw err;
    cutBy = err as FieldlineError;
  }
  return { record: { startedAt, endedAt: ctx.clock.now().toISOString(), actions }, ...(cutBy ? { cutBy } : {}) };
}
