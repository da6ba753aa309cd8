/**
 * Settings values are byte strings on the wire (SMP.md §6); only the client knows their type. These encodings
 * match how Zephyr code typically stores them: text without a terminator, integers little-endian.
 */
import { FieldlineError } from '../errors';

export const SETTING_ENCODINGS = ['text', 'hex', 'u8', 'u16', 'u32', 'u64', 'i8', 'i16', 'i32', 'i64', 'bool'] as const;
export type SettingEncoding = (typeof SETTING_ENCODINGS)[number];

const INT_SIZES: Record<string, number> = { u8: 1, u16: 2, u32: 4, u64: 8, i8: 1, i16: 2, i32: 4, i64: 8 };

export function encodeSettingValue(text: string, encoding: SettingEncoding): Uint8Array {
  switch (encoding) {
    case 'text':
      return new TextEncoder().encode(text);
    case 'hex':
      if (!/^([0-9a-fA-F]{2})*$/.test(text)) throw new FieldlineError('INVALID_ARGUMENT', `"${text}" is not hex`);
      return Uint8Array.from(Buffer.from(text, 'hex'));
    case 'bool':
      if (!['true', 'false', '1', '0'].includes(text)) throw new FieldlineError('INVALID_ARGUMENT', `"${text}" is not a boolean`);
      return Uint8Array.of(text === 'true' || text === '1' ? 1 : 0);
    default: {
      const size = INT_SIZES[encoding] as number;
      const signed = encoding.startsWith('i');
      let n: bigint;
      try {
        n = BigInt(text);
      } catch {
        throw new FieldlineError('INVALID_ARGUMENT', `"${text}" is not an integer`);
      }
      const bits = BigInt(size * 8);
      const min = signed ? -(1n << (bits - 1n)) : 0n;
      const max = signed ? (1n << (bits - 1n)) - 1n : (1n << bits) - 1n;
      if (n < min || n > max) throw new FieldlineError('INVALID_ARGUMENT', `${text} does not fit ${encoding}`);
      const out = new Uint8Array(size);
      let v = BigInt.asUintN(size * 8, n);
      for (let i = 0; i < size; i++) {
        out[i] = Number(v & 0xffn);
        v >>= 8n;
      }
      return out;
    }
  }
}

export function decodeSettingValue(raw: Uint8Array, encoding: SettingEncoding): string | number | boolean {
  switch (encoding) {
    case 'text':
      return new TextDecoder().decode(raw);
    case 'hex':
      return Buffer.from(raw).toString('hex');
    case 'bool':
      return raw.some((b) => b !== 0);
    default: {
      const size = INT_SIZES[encoding] as number;
      if (raw.length !== size) throw new FieldlineError('INVALID_ARGUMENT', `value has ${raw.length} bytes, ${encoding} needs ${size}`);
      let v = 0n;
      for (let i = size - 1; i >= 0; i--) v = (v << 8n) | BigInt(raw[i] as number);
      const n = encoding.startsWith('i') ? BigInt.asIntN(size * 8, v) : v;
      return Number.isSafeInteger(Number(n)) ? Number(n) : Number(n);
    }
  }
}
