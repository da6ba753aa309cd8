/**
 * Just enough DER to find an element's bytes inside a structure another parser has already accepted (a CSR's signed
 * part, an SPKI's key bits). Definite lengths only, as DER requires; anything else, or a length running past the end,
 * throws — the caller treats that as a malformed input, never reads out of bounds.
 */
export interface Tlv {
  tag: number;
  /** First byte of the element (its tag). */
  start: number;
  /** First byte of its content. */
  content: number;
  /** One past its last byte. */
  end: number;
}

export function readTlv(bytes: Uint8Array, at: number): Tlv {
  if (at + 2 > bytes.length) throw new Error(`DER: no element at ${at}`);
  const tag = bytes[at] as number;
  if ((tag & 0x1f) === 0x1f) throw new Error('DER: multi-byte tags are not expected here');
  let length = bytes[at + 1] as number;
  let content = at + 2;
  if (length & 0x80) {
    const octets = length & 0x7f;
    if (octets < 1 || octets > 4) throw new Error('DER: unsupported length form');
    if (content + octets > bytes.length) throw new Error('DER: length beyond the end');
    length = 0;
    for (let i = 0; i < octets; i += 1) length = length * 256 + (bytes[content + i] as number);
    content += octets;
  }
  const end = content + length;
  if (end > bytes.length) throw new Error('DER: element runs past the end');
  return { tag, start: at, content, end };
}

/** The element of `tag` at `at`, or a throw naming what was there instead. */
export function expectTlv(bytes: Uint8Array, at: number, tag: number): Tlv {
  const tlv = readTlv(bytes, at);
  if (tlv.tag !== tag) throw new Error(`DER: expected tag 0x${tag.toString(16)} at ${at}, found 0x${tlv.tag.toString(16)}`);
  return tlv;
}

export const SEQUENCE = 0x30;
export const BIT_STRING = 0x03;

// --- Writing: the few DER types a certificate or a certification request needs. ---

export const INTEGER = 0x02;
export const OCTET_STRING = 0x04;
export const NULL = 0x05;
export const OBJECT_IDENTIFIER = 0x06;
export const SET = 0x31;
export const UTC_TIME = 0x17;
export const GENERALIZED_TIME = 0x18;
export const BOOLEAN = 0x01;

/** tag ‖ definite length ‖ content. */
export function tlv(tag: number, ...content: Uint8Array[]): Uint8Array {
  const body = content.length === 1 ? (content[0] as Uint8Array) : Buffer.concat(content);
  const n = body.length;
  const length = n < 0x80 ? [n] : n < 0x100 ? [0x81, n] : n < 0x10000 ? [0x82, n >> 8, n & 0xff] : [0x83, n >> 16, (n >> 8) & 0xff, n & 0xff];
  const out = new Uint8Array(1 + length.length + n);
  out[0] = tag;
  out.set(length, 1);
  out.set(body, 1 + length.length);
  return out;
}

export const sequence = (...items: Uint8Array[]): Uint8Array => tlv(SEQUENCE, ...items);

/** A non-negative INTEGER from big-endian magnitude bytes: leading zeros dropped, a 0x00 added when the top bit is set. */
export function unsignedInteger(magnitude: Uint8Array): Uint8Array {
  let start = 0;
  while (start < magnitude.length - 1 && magnitude[start] === 0) start += 1;
  const bytes = magnitude.subarray(start);
  return (bytes[0] as number) & 0x80 ? tlv(INTEGER, Uint8Array.of(0), bytes) : tlv(INTEGER, bytes);
}

/** An OBJECT IDENTIFIER from its dotted form. */
export function oid(dotted: string): Uint8Array {
  const arcs = dotted.split('.').map(Number);
  const out: number[] = [(arcs[0] as number) * 40 + (arcs[1] as number)];
  for (const arc of arcs.slice(2)) {
    const base128: number[] = [arc & 0x7f];
    for (let v = Math.floor(arc / 128); v > 0; v = Math.floor(v / 128)) base128.unshift((v & 0x7f) | 0x80);
    out.push(...base128);
  }
  return tlv(OBJECT_IDENTIFIER, Uint8Array.from(out));
}

/** RFC 5280 §4.1.2.5: UTCTime through 2049, GeneralizedTime from 2050; whole seconds, UTC. */
export function time(date: Date): Uint8Array {
  const iso = date.toISOString(); // YYYY-MM-DDTHH:MM:SS.sssZ
  const digits = iso.slice(0, 19).replace(/[-T:]/g, '');
  const year = date.getUTCFullYear();
  return year >= 1950 && year < 2050 ? tlv(UTC_TIME, Buffer.from(`${digits.slice(2)}Z`, 'latin1')) : tlv(GENERALIZED_TIME, Buffer.from(`${digits}Z`, 'latin1'));
}

/** A BIT STRING of whole bytes (no unused bits). */
export const bitString = (bytes: Uint8Array): Uint8Array => tlv(BIT_STRING, Uint8Array.of(0), bytes);

/** An ECDSA signature as WebCrypto gives it (r ‖ s, each half the length) in the DER form X.509 carries. */
export function ecdsaSignatureDer(p1363: Uint8Array): Uint8Array {
  const half = p1363.length / 2;
  return sequence(unsignedInteger(p1363.subarray(0, half)), unsignedInteger(p1363.subarray(half)));
}
