/**
 * Rollback of files, read back. SMP's FS group can write a file but not delete it, and on Zephyr 3.4 a zero-byte
 * upload at offset 0 leaves an existing file exactly as it was — so "emptying" a file proves nothing. A file the run
 * created is removed with the file-system shell (`fs rm PATH` over the shell group) when the device has one, and
 * the FS group's status must then answer "not found"; without that shell the file stays and is reported as left on
 * the device. A file that existed gets its old bytes back, downloaded again and compared.
 */
import { createHash } from 'node:crypto';
import { readFileOrAbsent } from '../device/read-config';
import type { GatewaySession } from '../device/session';
import { GROUP } from '../smp/error-codes';
import { fileStatus, uploadFile } from '../smp/groups/fs';
import { shellExec } from '../smp/groups/shell';
import { isGroupError, SmpError } from '../smp/smp-error';
import type { RollbackRecord } from '../contract/run-record';

/** An action's result without its name: outcome, what the device holds now, and why. */
export type Verified = Omit<RollbackRecord['actions'][number], 'action'>;

const sha = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');
const describe = (bytes: Uint8Array): string => `${bytes.length} bytes, sha256 ${sha(bytes).slice(0, 16)}…`;

/** The file's size, or undefined when the FS group answers FILE_NOT_FOUND. */
async function statOrAbsent(session: GatewaySession, path: string): Promise<number | undefined> {
  try {
    return (await fileStatus(session.client, path)).len;
  } catch (err) {
    if (isGroupError(err, GROUP.FS, 'FILE_NOT_FOUND')) return undefined;
    throw err;
  }
}

/** Why `fs rm` could not run: the shell group is absent, or the shell has no `fs` command. Undefined when it ran. */
async function shellRemove(session: GatewaySession, path: string): Promise<{ missing?: string; output?: string }> {
  try {
    const result = await shellExec(session.client, ['fs', 'rm', path]);
    // Zephyr's shell answers an unknown root command with "fs: command not found" (SHELL_MSG_CMD_NOT_FOUND).
    if (/^fs: command not found/m.test(result.output)) return { missing: 'the device has no file-system shell (`fs` is not a command)' };
    return result.ret === 0 ? {} : { output: result.output.trim() };
  } catch (err) {
    if (err instanceof SmpError && err.group === GROUP.SHELL && err.rcName === 'ENOTSUP') {
      return { missing: 'the device has no shell group (SMP group 9)' };
    }
    throw err;
  }
}

/** Removes a file the run created and checks that the FS group no longer finds it. */
export async function removeCreatedFile(session: GatewaySession, path: string): Promise<Verified> {
  const before = await statOrAbsent(session, path);
  if (before === undefined) return { target: path, outcome: 'not-needed', verified: 'not found', detail: 'the run had not created it yet' };
  const removal = await shellRemove(session, path);
  const after = await statOrAbsent(session, path);
  if (after === undefined) return { target: path, outcome: 'done', verified: 'not found', detail: 'removed with fs rm (did not exist before)' };
  const why = removal.missing ?? `fs rm did not remove it${removal.output ? `: ${removal.output}` : ''}`;
  return {
    target: path,
    outcome: 'failed',
    verified: `present, ${after} bytes`,
    leftOnDevice: true,
    detail: `left on device (did not exist before): ${why}; SMP's FS group cannot delete files`,
  };
}

/** Writes a file's bytes from before the run back and downloads it again to compare. */
export async function restoreFile(session: GatewaySession, path: string, before: Uint8Array): Promise<Verified> {
  await uploadFile(session.client, path, before, await session.buffers());
  const now = await readFileOrAbsent(session, path);
  if (now === undefined) return { target: path, outcome: 'failed', verified: 'not found', detail: 'the file is gone after writing it back' };
  const same = sha(now) === sha(before);
  return {
    target: path,
    outcome: same ? 'done' : 'failed',
    verified: describe(now),
    detail: same ? 'same bytes as before the run' : `differs from before the run (${describe(before)})`,
  };
}
