/**
 * The shape every group handler shares: a command table keyed by id and op, typed readers for request fields, and
 * reply builders. A request field of the wrong CBOR type is the client's mistake, not ours, so readers throw
 * BadRequest and the group answers smp-error EINVAL (as zcbor_map_decode_bulk failures do in Zephyr); anything else
 * thrown is a bug and propagates.
 */
import type { CborValue } from '../../smp/cbor';
import { groupErrorCode } from '../../smp/error-codes';
import { Op } from '../../smp/header';
import type { Body, GroupHandler, SimEffects, SimReply, SimRequest } from '../handler';

export class BadRequest extends Error {
  override readonly name = 'BadRequest';
}

function present(body: Body, key: string): CborValue | undefined {
  // CBOR `undefined` means "no value", the same as leaving the key out.
  return Object.prototype.hasOwnProperty.call(body, key) ? body[key] : undefined;
}

function asUint(key: string, v: CborValue): number {
  if (typeof v === 'bigint' && v >= 0n && v <= BigInt(Number.MAX_SAFE_INTEGER)) return Number(v);
  if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return v;
  throw new BadRequest(`${key} must be an unsigned integer`);
}

export function optUint(body: Body, key: string): number | undefined {
  const v = present(body, key);
  return v === undefined ? undefined : asUint(key, v);
}

export function uint(body: Body, key: string): number {
  const v = optUint(body, key);
  if (v === undefined) throw new BadRequest(`${key} is required`);
  return v;
}

export function optText(body: Body, key: string): string | undefined {
  const v = present(body, key);
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw new BadRequest(`${key} must be a text string`);
  return v;
}

export function text(body: Body, key: string): string {
  const v = optText(body, key);
  if (v === undefined) throw new BadRequest(`${key} is required`);
  return v;
}

export function optBytes(body: Body, key: string): Uint8Array | undefined {
  const v = present(body, key);
  if (v === undefined) return undefined;
  if (!(v instanceof Uint8Array)) throw new BadRequest(`${key} must be a byte string`);
  return v;
}

export function bytes(body: Body, key: string): Uint8Array {
  const v = optBytes(body, key);
  if (v === undefined) throw new BadRequest(`${key} is required`);
  return v;
}

export function optBool(body: Body, key: string): boolean | undefined {
  const v = present(body, key);
  if (v === undefined) return undefined;
  if (typeof v !== 'boolean') throw new BadRequest(`${key} must be a boolean`);
  return v;
}

function optArray<T>(body: Body, key: string, item: (v: CborValue) => v is CborValue & T, what: string): T[] | undefined {
  const v = present(body, key);
  if (v === undefined) return undefined;
  if (!Array.isArray(v) || !v.every(item)) throw new BadRequest(`${key} must be an array of ${what}`);
  return v as T[];
}

export const optTextArray = (body: Body, key: string): string[] | undefined =>
  optArray(body, key, (v): v is string => typeof v === 'string', 'text strings');
export const optBytesArray = (body: Body, key: string): Uint8Array[] | undefined =>
  optArray(body, key, (v): v is Uint8Array => v instanceof Uint8Array, 'byte strings');
export const optUintArray = (body: Body, key: string): number[] | undefined =>
  optArray(body, key, (v): v is number | bigint => typeof v === 'number' || typeof v === 'bigint', 'unsigned integers')?.map(
    (v, i) => asUint(`${key}[${i}]`, v),
  );

// ---------------------------------------------------------------------------------------------------------------
// Replies

export function ok(body: Body = {}): SimReply {
  return { kind: 'ok', body };
}

export type SmpErrorName = 'EUNKNOWN' | 'ENOMEM' | 'EINVAL' | 'ENOENT' | 'EBADSTATE' | 'EMSGSIZE' | 'ENOTSUP' | 'EBUSY';

export function smpError(name: SmpErrorName, reason?: string): SimReply {
  return reason === undefined ? { kind: 'smp-error', name } : { kind: 'smp-error', name, reason };
}

/** A reply builder for one group's errors; an unknown name throws at once, so a typo fails the tests, not a user. */
export function groupErrors(group: number): (name: string, extra?: Body) => SimReply {
  return (name, extra) => {
    groupErrorCode(group, name);
    return extra ? { kind: 'group-error', name, extra } : { kind: 'group-error', name };
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Groups

export type CommandFn = (request: SimRequest, effects: SimEffects) => Promise<SimReply> | SimReply;

export interface CommandSpec {
  read?: CommandFn;
  write?: CommandFn;
}

/** A GroupHandler plus what the enumeration group reports and what a reboot must clear. */
export interface DeviceGroupHandler extends GroupHandler {
  /** Zephyr's mg_group_name, reported by enumeration details. */
  readonly name: string;
  /** Size of the group's handler table (highest command id + 1), as Zephyr's enumeration reports it. */
  readonly handlerCount: number;
  /** Drops what the group keeps in RAM; the device calls it on every boot. */
  onBoot?(): void;
}

export function defineGroup(options: {
  group: number;
  name: string;
  commands: Record<number, CommandSpec>;
  onBoot?: () => void;
}): DeviceGroupHandler {
  const ids = Object.keys(options.commands).map(Number);
  const handler: DeviceGroupHandler = {
    group: options.group,
    name: options.name,
    handlerCount: ids.length ? Math.max(...ids) + 1 : 0,
    async handle(request, effects) {
      const spec = options.commands[request.command];
      // Zephyr answers a missing command, or a command without a handler for this op, with MGMT_ERR_ENOTSUP.
      const fn = spec && (request.op === Op.Read ? spec.read : spec.write);
      if (!fn) return smpError('ENOTSUP');
      try {
        return await fn(request, effects);
      } catch (err) {
        if (err instanceof BadRequest) return smpError('EINVAL', err.message);
        throw err;
      }
    },
  };
  if (options.onBoot) handler.onBoot = options.onBoot;
  return handler;
}
