/**
 * Typed reads of reply fields. A device reply is untrusted: a missing or mistyped field is an SMP_MALFORMED
 * error that says which reply and which field, never a crash deeper down.
 */
import { FieldlineError } from '../errors';
import type { CborValue } from './cbor';
import type { ReplyBody } from './smp-error';

function bad(what: string, key: string, expected: string): never {
  throw new FieldlineError('SMP_MALFORMED', `${what}: reply field "${key}" is missing or not ${expected}`);
}

export function uintField(body: ReplyBody, key: string, what: string): number {
  const v = body[key];
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) return bad(what, key, 'an unsigned integer');
  return v;
}

export function optionalUint(body: ReplyBody, key: string, what: string): number | undefined {
  return body[key] === undefined ? undefined : uintField(body, key, what);
}

export function intField(body: ReplyBody, key: string, what: string): number {
  const v = body[key];
  if (typeof v !== 'number' || !Number.isSafeInteger(v)) return bad(what, key, 'an integer');
  return v;
}

export function textField(body: ReplyBody, key: string, what: string): string {
  const v = body[key];
  if (typeof v !== 'string') return bad(what, key, 'a text string');
  return v;
}

export function optionalText(body: ReplyBody, key: string, what: string): string | undefined {
  return body[key] === undefined ? undefined : textField(body, key, what);
}

export function bytesField(body: ReplyBody, key: string, what: string): Uint8Array {
  const v = body[key];
  if (!(v instanceof Uint8Array)) return bad(what, key, 'a byte string');
  return v;
}

export function optionalBool(body: ReplyBody, key: string, what: string): boolean | undefined {
  const v = body[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'boolean') return bad(what, key, 'a boolean');
  return v;
}

export function arrayField(body: ReplyBody, key: string, what: string): CborValue[] {
  const v = body[key];
  if (!Array.isArray(v)) return bad(what, key, 'an array');
  return v;
}

export function mapValue(v: CborValue, what: string): ReplyBody {
  if (v === null || typeof v !== 'object' || Array.isArray(v) || v instanceof Uint8Array) {
    throw new FieldlineError('SMP_MALFORMED', `${what}: expected a map`);
  }
  return v as ReplyBody;
}

export function mapField(body: ReplyBody, key: string, what: string): ReplyBody {
  const v = body[key];
  if (v === undefined) return bad(what, key, 'a map');
  return mapValue(v, `${what} "${key}"`);
}
