/**
 * The two error shapes a device can answer with (SMP.md §3), as typed errors that name the code: `rc` (SMP v1,
 * and SMP-layer failures in v2) and `err: {group, rc}` (v2 group errors). Both keep the whole reply body,
 * because some errors carry data (an FS upload at the wrong offset also returns the device's `len`).
 */
import { FieldlineError } from '../errors';
import type { CborValue } from './cbor';
import { groupErrorName, groupName, mgmtErrorName } from './error-codes';

export type ReplyBody = { [key: string]: CborValue };

export class SmpError extends FieldlineError {
  constructor(
    readonly rc: number,
    readonly rcName: string,
    readonly group: number,
    readonly command: number,
    readonly body: ReplyBody,
    reason?: string,
  ) {
    super(
      'SMP_ERROR',
      `device answered ${groupName(group)} command ${command} with ${rcName} (rc ${rc})${reason ? `: ${reason}` : ''}`,
      { rc, rcName, group, command, reason },
    );
  }
}

export class SmpGroupError extends FieldlineError {
  readonly groupErrorName: string;
  constructor(
    readonly group: number,
    readonly rc: number,
    readonly command: number,
    readonly body: ReplyBody,
  ) {
    const name = groupErrorName(group, rc);
    super('SMP_GROUP_ERROR', `device answered ${groupName(group)} command ${command} with ${groupName(group)} error ${name} (${rc})`, {
      group,
      groupName: groupName(group),
      rc,
      rcName: name,
      command,
    });
    this.groupErrorName = name;
  }
}

/** Throws the typed error a reply body carries, if any; `rc: 0` alone means success (several servers add it). */
export function checkReply(group: number, command: number, body: ReplyBody): void {
  const err = body.err;
  if (err && typeof err === 'object' && !Array.isArray(err) && !(err instanceof Uint8Array)) {
    const e = err as ReplyBody;
    const rc = typeof e.rc === 'number' ? e.rc : -1;
    const errGroup = typeof e.group === 'number' ? e.group : group;
    if (rc !== 0) throw new SmpGroupError(errGroup, rc, command, body);
  }
  const rc = body.rc;
  if (typeof rc === 'number' && rc !== 0) {
    // A v1 request to a user group gets its group code as 256 + code (IDENTITY-GROUP.md).
    const name = rc >= 256 && group >= 64 ? groupErrorName(group, rc - 256) : mgmtErrorName(rc);
    throw new SmpError(rc, name, group, command, body, typeof body.rsn === 'string' ? body.rsn : undefined);
  }
}

export function isGroupError(err: unknown, group: number, name?: string): err is SmpGroupError {
  return err instanceof SmpGroupError && err.group === group && (name === undefined || err.groupErrorName === name);
}
