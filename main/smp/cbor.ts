/**
 * CBOR (RFC 8949) for SMP bodies. Hand-written rather than a library because device input is untrusted: the
 * decoder bounds depth and every length against the bytes actually present (no allocation is sized by a claim
 * it cannot back), accepts Zephyr's indefinite-length containers, and can report which containers were
 * indefinite. The encoder emits definite, minimal-length items and never adds tags (SMP peers don't know them).
 */
import { FieldlineError } from '../errors';

export type CborValue =
  | number
  | bigint
  | string
  | boolean
  | null
  | undefined
  | Uint8Array
  | CborValue[]
  | CborMap
  | { [key: string]: CborValue };

/** An insertion-ordered map, produced by the decoder when key order must survive (the `smp decode` view). */
export class CborMap {
  constructor(readonly entries: Array<[CborValue, CborValue]> = []) {}
}

export class CborError extends FieldlineError {
  constructor(message: string, offset: number) {
    super('SMP_MALFORMED', `CBOR: ${message} at byte ${offset}`, { offset });
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Encoder

class Writer {
  private buf = new Uint8Array(64);
  private view = new DataView(this.buf.buffer);
  length = 0;

  private reserve(n: number): void {
    if (this.length + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.length + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  byte(b: number): void {
    this.reserve(1);
    this.buf[this.length++] = b;
  }

  bytes(b: Uint8Array): void {
    this.reserve(b.length);
    this.buf.set(b, this.length);
    this.length += b.length;
  }

  head(major: number, value: number | bigint): void {
    const m = major << 5;
    if (typeof value === 'bigint') {
      if (value <= 0xffffffffn) return this.head(major, Number(value));
      this.reserve(9);
      this.buf[this.length] = m | 27;
      this.view.setBigUint64(this.length + 1, value);
      this.length += 9;
      return;
    }
    if (value < 24) this.byte(m | value);
    else if (value < 0x100) {
      this.reserve(2);
      this.buf[this.length++] = m | 24;
      this.buf[this.length++] = value;
    } else if (value < 0x10000) {
      this.reserve(3);
      this.buf[this.length] = m | 25;
      this.view.setUint16(this.length + 1, value);
      this.length += 3;
    } else if (value < 0x100000000) {
      this.reserve(5);
      this.buf[this.length] = m | 26;
      this.view.setUint32(this.length + 1, value);
      this.length += 5;
    } else this.head(major, BigInt(value));
  }

  float64(v: number): void {
    this.reserve(9);
    this.buf[this.length] = 0xfb;
    this.view.setFloat64(this.length + 1, v);
    this.length += 9;
  }

  result(): Uint8Array {
    return this.buf.slice(0, this.length);
  }
}

const textEncoder = new TextEncoder();

function encodeInto(w: Writer, value: CborValue, depth: number): void {
  if (depth > 64) throw new TypeError('CBOR: value nested too deeply to encode');
  if (value === null) return w.byte(0xf6);
  if (value === undefined) return w.byte(0xf7);
  if (value === false) return w.byte(0xf4);
  if (value === true) return w.byte(0xf5);
  if (typeof value === 'number') {
    if (Number.isInteger(value) && Math.abs(value) <= Number.MAX_SAFE_INTEGER) {
      return value >= 0 ? w.head(0, value) : w.head(1, -1 - value);
    }
    return w.float64(value);
  }
  if (typeof value === 'bigint') {
    if (value < 0n) {
      if (-1n - value > 0xffffffffffffffffn) throw new TypeError('CBOR: integer out of range');
      return w.head(1, -1n - value);
    }
    if (value > 0xffffffffffffffffn) throw new TypeError('CBOR: integer out of range');
    return w.head(0, value);
  }
  if (typeof value === 'string') {
    const bytes = textEncoder.encode(value);
    w.head(3, bytes.length);
    return w.bytes(bytes);
  }
  if (value instanceof Uint8Array) {
    w.head(2, value.length);
    return w.bytes(value);
  }
  if (Array.isArray(value)) {
    w.head(4, value.length);
    for (const item of value) encodeInto(w, item, depth + 1);
    return;
  }
  if (value instanceof CborMap) {
    w.head(5, value.entries.length);
    for (const [k, v] of value.entries) {
      encodeInto(w, k, depth + 1);
      encodeInto(w, v, depth + 1);
    }
    return;
  }
  // Keys whose value is undefined are left out, so optional request fields can be written inline.
  const entries = Object.entries(value).filter(([, v]) => v !== undefined);
  w.head(5, entries.length);
  for (const [k, v] of entries) {
    encodeInto(w, k, depth + 1);
    encodeInto(w, v, depth + 1);
  }
}

export function encodeCbor(value: CborValue): Uint8Array {
  const w = new Writer();
  encodeInto(w, value, 0);
  return w.result();
}

// ---------------------------------------------------------------------------------------------------------------
// Decoder

export interface DecodeOptions {
  /** Maps become CborMap (key order kept, any key type) instead of plain objects with string keys. */
  preserveOrder?: boolean;
  maxDepth?: number;
}

export interface Decoded {
  value: CborValue;
  /** 'map' / 'array' / 'bytes' / 'text' for each indefinite-length item, in the order they were opened. */
  indefinite: string[];
}

const BREAK = Symbol('break');
const textDecoder = new TextDecoder('utf-8', { fatal: true });

class Reader {
  pos = 0;
  readonly indefinite: string[] = [];
  private readonly view: DataView;

  constructor(
    private readonly bytes: Uint8Array,
    private readonly options: Required<DecodeOptions>,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  private need(n: number): void {
    if (this.pos + n > this.bytes.length) throw new CborError('unexpected end of data', this.pos);
  }

  private u8(): number {
    this.need(1);
    return this.bytes[this.pos++] as number;
  }

  /** Reads the argument of an initial byte; -1 means indefinite length. */
  private argument(info: number, start: number): number | bigint {
    if (info < 24) return info;
    switch (info) {
      case 24:
        return this.u8();
      case 25: {
        this.need(2);
        const v = this.view.getUint16(this.pos);
        this.pos += 2;
        return v;
      }
      case 26: {
        this.need(4);
        const v = this.view.getUint32(this.pos);
        this.pos += 4;
        return v;
      }
      case 27: {
        this.need(8);
        const v = this.view.getBigUint64(this.pos);
        this.pos += 8;
        return v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
      }
      case 31:
        return -1;
      default:
        throw new CborError(`reserved additional information ${info}`, start);
    }
  }

  /** A length claim must be backed by at least `minBytesPerItem` bytes per item still unread. */
  private length(arg: number | bigint, minBytesPerItem: number, start: number): number {
    if (typeof arg === 'bigint' || arg * minBytesPerItem > this.bytes.length - this.pos) {
      throw new CborError(`length ${arg} exceeds the ${this.bytes.length - this.pos} bytes left`, start);
    }
    return arg;
  }

  item(depth: number): CborValue | typeof BREAK {
    if (depth > this.options.maxDepth) throw new CborError('nesting too deep', this.pos);
    const start = this.pos;
    const initial = this.u8();
    const major = initial >> 5;
    const info = initial & 0x1f;
    if (initial === 0xff) return BREAK;
    if (major === 7) return this.simple(info, start);
    const arg = this.argument(info, start);
    switch (major) {
      case 0:
        return arg;
      case 1:
        return typeof arg === 'bigint' ? -1n - arg : arg === -1 ? this.bad(start) : -1 - arg;
      case 2:
      case 3:
        return arg === -1 ? this.chunked(major, depth, start) : this.string(major, this.length(arg, 1, start), start);
      case 4:
        return this.array(arg === -1 ? -1 : this.length(arg, 1, start), depth, start);
      case 5:
        return this.map(arg === -1 ? -1 : this.length(arg, 2, start), depth, start);
      default: {
        // Tag (major 6): the tagged item is returned as is; bignums become bigint.
        if (arg === -1) return this.bad(start);
        const inner = this.item(depth + 1);
        if (inner === BREAK) throw new CborError('break code where a tagged item was expected', start);
        if ((arg === 2 || arg === 3) && inner instanceof Uint8Array) {
          let n = 0n;
          for (const b of inner) n = (n << 8n) | BigInt(b);
          return arg === 2 ? n : -1n - n;
        }
        return inner;
      }
    }
  }

  private bad(start: number): never {
    throw new CborError('indefinite length not allowed here', start);
  }

  private simple(info: number, start: number): CborValue {
    switch (info) {
      case 20:
        return false;
      case 21:
        return true;
      case 22:
        return null;
      case 23:
        return undefined;
      case 24:
        this.u8();
        return undefined;
      case 25: {
        this.need(2);
        const v = this.view.getUint16(this.pos);
        this.pos += 2;
        return halfToNumber(v);
      }
      case 26: {
        this.need(4);
        const v = this.view.getFloat32(this.pos);
        this.pos += 4;
        return v;
      }
      case 27: {
        this.need(8);
        const v = this.view.getFloat64(this.pos);
        this.pos += 8;
        return v;
      }
      default:
        if (info < 20) return undefined; // unassigned simple values carry no meaning for SMP
        throw new CborError(`reserved simple value ${info}`, start);
    }
  }

  private string(major: number, len: number, start: number): Uint8Array | string {
    const slice = this.bytes.subarray(this.pos, this.pos + len);
    this.pos += len;
    if (major === 2) return slice.slice();
    try {
      return textDecoder.decode(slice);
    } catch {
      throw new CborError('text string is not valid UTF-8', start);
    }
  }

  private chunked(major: number, depth: number, start: number): Uint8Array | string {
    this.indefinite.push(major === 2 ? 'bytes' : 'text');
    const parts: Uint8Array[] = [];
    let total = 0;
    for (;;) {
      const chunkStart = this.pos;
      const initial = this.u8();
      if (initial === 0xff) break;
      if (initial >> 5 !== major) throw new CborError('chunk of the wrong type in an indefinite string', chunkStart);
      const arg = this.argument(initial & 0x1f, chunkStart);
      if (arg === -1) throw new CborError('nested indefinite string', chunkStart);
      const len = this.length(arg, 1, chunkStart);
      parts.push(this.bytes.subarray(this.pos, this.pos + len));
      this.pos += len;
      total += len;
      if (depth > this.options.maxDepth) throw new CborError('nesting too deep', chunkStart);
    }
    const joined = new Uint8Array(total);
    let at = 0;
    for (const p of parts) {
      joined.set(p, at);
      at += p.length;
    }
    if (major === 2) return joined;
    try {
      return textDecoder.decode(joined);
    } catch {
      throw new CborError('text string is not valid UTF-8', start);
    }
  }

  private array(len: number, depth: number, start: number): CborValue[] {
    if (len === -1) this.indefinite.push('array');
    const out: CborValue[] = [];
    for (let i = 0; len === -1 || i < len; i++) {
      const v = this.item(depth + 1);
      if (v === BREAK) {
        if (len === -1) return out;
        throw new CborError('break code inside a definite array', start);
      }
      out.push(v);
    }
    return out;
  }

  private map(len: number, depth: number, start: number): CborValue {
    if (len === -1) this.indefinite.push('map');
    const entries: Array<[CborValue, CborValue]> = [];
    for (let i = 0; len === -1 || i < len; i++) {
      const k = this.item(depth + 1);
      if (k === BREAK) {
        if (len === -1) break;
        throw new CborError('break code inside a definite map', start);
      }
      const v = this.item(depth + 1);
      if (v === BREAK) throw new CborError('map key without a value', start);
      entries.push([k, v]);
    }
    if (this.options.preserveOrder) return new CborMap(entries);
    const obj: { [key: string]: CborValue } = {};
    for (const [k, v] of entries) {
      // defineProperty: a device sending "__proto__" as a key must not reach the prototype.
      Object.defineProperty(obj, keyToString(k), { value: v, enumerable: true, writable: true, configurable: true });
    }
    return obj;
  }
}

function keyToString(k: CborValue): string {
  if (typeof k === 'string') return k;
  if (typeof k === 'number' || typeof k === 'bigint' || typeof k === 'boolean' || k === null) return String(k);
  if (k instanceof Uint8Array) return Buffer.from(k).toString('hex');
  return JSON.stringify(toJsonValue(k));
}

function halfToNumber(h: number): number {
  const exp = (h >> 10) & 0x1f;
  const mant = h & 0x3ff;
  const sign = h & 0x8000 ? -1 : 1;
  if (exp === 0) return sign * 2 ** -14 * (mant / 1024);
  if (exp === 31) return mant ? NaN : sign * Infinity;
  return sign * 2 ** (exp - 15) * (1 + mant / 1024);
}

/** Decodes exactly one CBOR item that fills `bytes`; trailing bytes are an error. */
export function decodeCbor(bytes: Uint8Array, options: DecodeOptions = {}): Decoded {
  const reader = new Reader(bytes, { preserveOrder: options.preserveOrder ?? false, maxDepth: options.maxDepth ?? 32 });
  const value = reader.item(0);
  if (value === BREAK) throw new CborError('unexpected break code', 0);
  if (reader.pos !== bytes.length) throw new CborError(`${bytes.length - reader.pos} trailing bytes`, reader.pos);
  return { value, indefinite: reader.indefinite };
}

// ---------------------------------------------------------------------------------------------------------------
// JSON view: byte strings as {"$bytes": hex}, key order kept, bigints as numbers when exact.

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

export function toJsonValue(value: CborValue): JsonValue {
  if (value === undefined) return null;
  if (value instanceof Uint8Array) return { $bytes: Buffer.from(value).toString('hex') };
  if (typeof value === 'bigint') return Number(value);
  if (Array.isArray(value)) return value.map(toJsonValue);
  if (value instanceof CborMap) {
    const out: { [key: string]: JsonValue } = {};
    for (const [k, v] of value.entries) {
      Object.defineProperty(out, keyToString(k), { value: toJsonValue(v), enumerable: true, writable: true, configurable: true });
    }
    return out;
  }
  if (typeof value === 'object' && value !== null) {
    const out: { [key: string]: JsonValue } = {};
    for (const [k, v] of Object.entries(value)) {
      Object.defineProperty(out, k, { value: toJsonValue(v), enumerable: true, writable: true, configurable: true });
    }
    return out;
  }
  return value;
}

/**
 * JSON text with object keys in their stored order. JSON.stringify would move integer-like keys ("1", "10")
 * to the front, which misrepresents what the device sent; this writer keeps the CBOR order.
 */
export function stringifyCborJson(value: CborValue, indent = 0): string {
  const pad = (n: number): string => (indent ? '\n' + ' '.repeat(indent * n) : '');
  const sep = indent ? ': ' : ':';
  const walk = (v: CborValue, level: number): string => {
    if (v instanceof CborMap) {
      if (v.entries.length === 0) return '{}';
      const parts = v.entries.map(([k, x]) => pad(level + 1) + JSON.stringify(keyToString(k)) + sep + walk(x, level + 1));
      return '{' + parts.join(',') + pad(level) + '}';
    }
    if (Array.isArray(v)) {
      if (v.length === 0) return '[]';
      return '[' + v.map((x) => pad(level + 1) + walk(x, level + 1)).join(',') + pad(level) + ']';
    }
    if (v instanceof Uint8Array || v === undefined || typeof v !== 'object' || v === null) {
      return JSON.stringify(toJsonValue(v));
    }
    const entries = Object.entries(v);
    if (entries.length === 0) return '{}';
    const parts = entries.map(([k, x]) => pad(level + 1) + JSON.stringify(k) + sep + walk(x, level + 1));
    return '{' + parts.join(',') + pad(level) + '}';
  };
  return walk(value, 0);
}
