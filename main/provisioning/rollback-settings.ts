/**
 * Rollback of settings, read back. A setting the run created is deleted and must then read as not found; one that
 * existed gets its old value back, which must read back byte for byte. Values are never put in the record (a
 * setting may hold a secret): only sizes and whether they match.
 */
import { isDeviceGone } from '../device/gone';
import { readSettingOrAbsent } from '../device/read-config';
import type { GatewaySession } from '../device/session';
import { GROUP } from '../smp/error-codes';
import { commitSettings, deleteSetting, saveSettings, writeSetting } from '../smp/groups/settings';
import { isGroupError } from '../smp/smp-error';
import type { RollbackRecord } from '../contract/run-record';
import type { Verified } from './rollback-files';

type Action = RollbackRecord['actions'][number];

const sameBytes = (a: Uint8Array, b: Uint8Array): boolean => Buffer.compare(Buffer.from(a), Buffer.from(b)) === 0;

async function putBack(session: GatewaySession, name: string, before: Uint8Array | undefined): Promise<void> {
  if (before !== undefined) return writeSetting(session.client, name, before);
  try {
    await deleteSetting(session.client, name);
  } catch (err) {
    if (!isGroupError(err, GROUP.SETTINGS, 'KEY_NOT_FOUND')) throw err;
  }
}

export async function verifySetting(session: GatewaySession, name: string, before: Uint8Array | undefined): Promise<Verified> {
  const now = await readSettingOrAbsent(session, name);
  if (before === undefined) {
    return now === undefined
      ? { target: name, outcome: 'done', verified: 'not found', detail: 'deleted (did not exist before)' }
      : { target: name, outcome: 'failed', verified: `present, ${now.length} bytes`, detail: 'still set after settings delete (did not exist before)' };
  }
  if (now === undefined) return { target: name, outcome: 'failed', verified: 'not found', detail: `gone, but held ${before.length} bytes before the run` };
  return sameBytes(now, before)
    ? { target: name, outcome: 'done', verified: `${now.length} bytes, same value as before`, detail: 'old value written back' }
    : { target: name, outcome: 'failed', verified: `${now.length} bytes, not the value before`, detail: 'the old value did not read back' };
}

/**
 * Puts every written setting back, commits and saves once, then reads each back. A failure to put one back is
 * that setting's action; a failed commit or save throws (the caller records it), since no read-back can be trusted.
 */
export async function restoreSettings(session: GatewaySession, before: ReadonlyMap<string, Uint8Array | undefined>): Promise<Action[]> {
  const failed = new Map<string, string>();
  for (const [name, value] of before) {
    try {
      await putBack(session, name, value);
    } catch (err) {
      if (isDeviceGone(err)) throw err;
      failed.set(name, err instanceof Error ? err.message : String(err));
    }
  }
  await commitSettings(session.client);
  await saveSettings(session.client);
  const actions: Action[] = [];
  for (const [name, value] of before) {
    const action = value === undefined ? `delete setting ${name}` : `restore setting ${name}`;
    const error = failed.get(name);
    const check = await verifySetting(session, name, value);
    // A refused write can still read back as before (the run never changed it): the read-back decides the outcome.
    actions.push({ action, ...check, detail: error ? `${check.detail ?? ''}; putting it back failed: ${error}` : check.detail });
  }
  return actions;
}
