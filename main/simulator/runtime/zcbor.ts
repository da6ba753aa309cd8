/**
 * CBOR as Zephyr's zcbor writes it (built without ZCBOR_CANONICAL): every map and array is indefinite-length
 * (0xBF … 0xFF, 0x9F … 0xFF), while integers and strings are definite and minimal. The simulator replies in this
 * form on purpose, so every client decoder is exercised against the bytes a real gateway sends (SMP.md §2).
 * Scalars are delegated to encodeCbor, so the two encoders cannot disagree on them.
 */
import { CborMap, encodeCbor, type CborValue } from '../../smp/cbor';

const MAP_START = 0xbf;
const ARRAY_START = 0x9f;
const BREAK = 0xff;
const MAX_DEPTH = 64;

function encodeInto(parts: Uint8Array[], value: CborValue, depth: number): void {
  if (depth > MAX_DEPTH) throw new TypeError('zcbor: value nested too deeply to encode');
  if (Array.isArray(value)) {
    parts.push(Uint8Array.of(ARRAY_START));
    for (const item of value) encodeInto(parts, item, depth + 1);
    parts.push(Uint8Array.of(BREAK));
    return;
  }
  if (value instanceof CborMap) {
    parts.push(Uint8Array.of(MAP_START));
    for (const [k, v] of value.entries) {
      encodeInto(parts, k, depth + 1);
      encodeInto(parts, v, depth + 1);
    }
    parts.push(Uint8Array.of(BREAK));
    return;
  }
  if (value !== null && typeof value === 'object' && !(value instanceof Uint8Array)) {
    parts.push(Uint8Array.of(MAP_START));
    for (const [k, v] of Object.entries(value)) {
      // Same rule as encodeCbor: an undefined value means "field absent", so handlers can write optional fields inline.
      if (v === undefined) continue;
      parts.push(encodeCbor(k));
      encodeInto(parts, v, depth + 1);
    }
    parts.push(Uint8Array.of(BREAK));
    return;
  }
  parts.push(encodeCbor(value));
}

/** Encodes `value` with indefinite-length containers, as a Zephyr gateway does. */
export function encodeZcbor(value: CborValue): Uint8Array {
  const parts: Uint8Array[] = [];
  encodeInto(parts, value, 0);
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
