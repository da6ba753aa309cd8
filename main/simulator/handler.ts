/**
 * The seam between the simulator's runtime (pty, throttling, framing, faults, dispatch) and its device model
 * (groups, state). A group handler sees one decoded request and returns what the device answers; the runtime
 * turns that into SMP v1 or v2 reply bytes the way Zephyr does.
 */
import type { CborValue } from '../smp/cbor';
import type { Op } from '../smp/header';

export type Body = { [key: string]: CborValue };

export interface SimRequest {
  op: Op.Read | Op.Write;
  /** Header version of the request: 0 = SMP v1, 1 = SMP v2. */
  version: number;
  group: number;
  command: number;
  body: Body;
}

export type SimReply =
  /** Success: the reply body (the runtime adds nothing). */
  | { kind: 'ok'; body: Body }
  /** A group error by its name in main/smp/error-codes.ts (e.g. 'FILE_NOT_FOUND'), with extra reply fields. */
  | { kind: 'group-error'; name: string; extra?: Body }
  /** An SMP-layer error: MGMT_ERR name ('ENOTSUP', 'EINVAL', …), optionally with a reason. */
  | { kind: 'smp-error'; name: string; reason?: string };

/** What a group handler may ask of the runtime, beyond replying. */
export interface SimEffects {
  /** Reply first, then reboot (OS reset). */
  reboot(): void;
}

export interface GroupHandler {
  readonly group: number;
  handle(request: SimRequest, effects: SimEffects): Promise<SimReply>;
}
