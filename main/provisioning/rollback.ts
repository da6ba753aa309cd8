/**
 * Rollback: leave the device as it was before the run. Settings and files go back to the snapshot, the issued
 * certificate is revoked and the identity slot erased (inject mode: the key files are emptied — SMP has no file
 * delete), and a new firmware image that was never confirmed is dropped by resetting: MCUboot reverts it.
 * Each action is attempted even if an earlier one failed, and each is recorded.
 */
import { isDeviceGone } from '../device/gone';
import { commitSettings, deleteSetting, saveSettings, writeSetting } from '../smp/groups/settings';
import { uploadFile } from '../smp/groups/fs';
import { eraseIdentity } from '../smp/groups/identity';
import { readState } from '../smp/groups/image';
import { reset } from '../smp/groups/os';
import { isGroupError } from '../smp/smp-error';
import { GROUP } from '../smp/error-codes';
import type { RunContext } from './context';
import type { RollbackRecord } from './record';

type Action = RollbackRecord['actions'][number];

async function attempt(actions: Action[], action: string, fn: () => Promise<string | void>): Promise<void> {
  try {
    const detail = await fn();
    actions.push({ action, outcome: 'done', ...(detail ? { detail } : {}) });
  } catch (err) {
    actions.push({ action, outcome: 'failed', detail: err instanceof Error ? err.message : String(err) });
    if (isDeviceGone(err)) throw err;
  }
}

async function restoreSettings(ctx: RunContext): Promise<string> {
  const snapshot = ctx.snapshot?.settings ?? {};
  const client = ctx.session.client;
  const names = [...ctx.written.settings];
  for (const name of names) {
    const value = snapshot[name] ?? null;
    if (value === null) {
      try {
        await deleteSetting(client, name);
      } catch (err) {
        if (!isGroupError(err, GROUP.SETTINGS, 'KEY_NOT_FOUND')) throw err;
      }
    } else {
      await writeSetting(client, name, Buffer.from(value, 'hex'));
    }
  }
  await commitSettings(client);
  await saveSettings(client);
  return `${names.length} setting(s) restored`;
}

async function restoreFiles(ctx: RunContext): Promise<string> {
  const snapshot = ctx.snapshot?.files ?? {};
  const buffers = await ctx.session.buffers();
  const notes: string[] = [];
  for (const path of ctx.written.files) {
    const value = snapshot[path] ?? null;
    // A file that did not exist cannot be deleted over SMP: it is emptied instead.
    await uploadFile(ctx.session.client, path, value === null ? new Uint8Array(0) : Buffer.from(value, 'hex'), buffers);
    notes.push(value === null ? `${path} emptied (did not exist before)` : `${path} restored`);
  }
  return notes.join('; ') || 'no files';
}

export async function rollback(ctx: RunContext, reason: string): Promise<RollbackRecord> {
  const startedAt = new Date().toISOString();
  const actions: Action[] = [];
  const identity = ctx.identity;
  try {
    if (identity?.serial) {
      await attempt(actions, 'revoke certificate', async () => {
        await ctx.signer.revoke(identity.serial, `rolled back: ${reason}`);
        if (ctx.record.certificate) ctx.record.certificate.revoked = true;
        return `serial ${identity.serial}`;
      });
    }
    if (ctx.written.settings.size > 0) await attempt(actions, 'restore settings', () => restoreSettings(ctx));
    if (ctx.written.files.size > 0) await attempt(actions, 'restore files', () => restoreFiles(ctx));
    if (identity?.touchedDevice) {
      const spec = ctx.profile.profile.identity;
      if (identity.mode === 'csr') {
        await attempt(actions, 'erase identity slot', async () => {
          await eraseIdentity(ctx.session.client, spec?.slot ?? 0);
          return `slot ${spec?.slot ?? 0}`;
        });
      } else if (spec?.files) {
        const paths = [spec.files.key, spec.files.cert, ...(spec.files.chain ? [spec.files.chain] : [])];
        await attempt(actions, 'empty identity files', async () => {
          const buffers = await ctx.session.buffers();
          for (const p of paths) await uploadFile(ctx.session.client, p, new Uint8Array(0), buffers);
          return paths.join(', ');
        });
      }
    }
    const update = ctx.firmwareUpdate;
    if (update) {
      await attempt(actions, 'revert firmware', async () => {
        const active = (await readState(ctx.session.client)).find((s) => s.active);
        if (active?.confirmed && active.version === update.version) throw new Error('the new image is already confirmed; it cannot be reverted');
        await reset(ctx.session.client);
        await ctx.waitForDevice('reboot into the previous image');
        const after = (await readState(ctx.session.client)).find((s) => s.active);
        if (after?.version === update.version) throw new Error(`the device still runs ${update.version} after the reset`);
        ctx.record.device.firmwareAfter = after?.version;
        return `running ${after?.version ?? 'unknown'} again`;
      });
    }
  } catch {
    // The device went away: what is left is recorded, and the next run of this device repairs it.
  }
  return { startedAt, endedAt: new Date().toISOString(), actions };
}
