import { describe, expect, it } from 'vitest';
import { CborError, CborMap, decodeCbor, encodeCbor, stringifyCborJson } from './cbor';

const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s.replace(/\s/g, ''), 'hex'));

describe('CBOR', () => {
  it('encodes minimal, definite items', () => {
    expect(Buffer.from(encodeCbor({ off: 65536, data: new Uint8Array(3) })).toString('hex')).toBe('a2636f66661a00010000646461746143000000');
    expect(Buffer.from(encodeCbor(-1)).toString('hex')).toBe('20');
    expect(Buffer.from(encodeCbor(23)).toString('hex')).toBe('17');
    expect(Buffer.from(encodeCbor(24)).toString('hex')).toBe('1818');
    expect(Buffer.from(encodeCbor(2n ** 40n)).toString('hex')).toBe('1b0000010000000000');
    expect(Buffer.from(encodeCbor([true, false, null])).toString('hex')).toBe('83f5f4f6');
  });

  it('leaves out undefined fields so optional request keys can be written inline', () => {
    expect(decodeCbor(encodeCbor({ a: 1, b: undefined })).value).toEqual({ a: 1 });
  });

  it('decodes indefinite maps, arrays and chunked strings, and says which were indefinite', () => {
    // {_ "images": [_ {_ "slot": 0 } ], "s": (_ "ab" "c") }
    const bytes = hex('bf 66696d61676573 9f bf 64736c6f74 00 ff ff 6173 7f 626162 6163 ff ff');
    const d = decodeCbor(bytes);
    expect(d.value).toEqual({ images: [{ slot: 0 }], s: 'abc' });
    expect(d.indefinite).toEqual(['map', 'array', 'map', 'text']);
  });

  it('keeps key order, including integer-like keys, in the ordered view', () => {
    const d = decodeCbor(encodeCbor(new CborMap([['b', 1], ['10', 2], ['1', 3]])), { preserveOrder: true });
    expect(stringifyCborJson(d.value)).toBe('{"b":1,"10":2,"1":3}');
  });

  it('decodes floats (half, single, double) and large integers', () => {
    expect(decodeCbor(hex('f93c00')).value).toBe(1);
    expect(decodeCbor(hex('fa3fc00000')).value).toBe(1.5);
    expect(decodeCbor(hex('fb3ff8000000000000')).value).toBe(1.5);
    expect(decodeCbor(hex('1bffffffffffffffff')).value).toBe(2n ** 64n - 1n);
  });

  it('does not let a "__proto__" key reach the prototype', () => {
    const v = decodeCbor(hex('a1 695f5f70726f746f5f5f a1 6161 01')).value as Record<string, unknown>;
    expect(Object.getPrototypeOf(v)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).a).toBeUndefined();
    expect(Object.keys(v)).toEqual(['__proto__']);
  });

  it.each([
    ['truncated', 'a1 6161'],
    ['length beyond the data', '5b 00000000ffffffff'],
    ['array length beyond the data', '9a 7fffffff'],
    ['trailing bytes', '01 02'],
    ['stray break', 'ff'],
    ['break in a definite array', '82 01 ff'],
    ['invalid UTF-8', '62 c328'],
    ['reserved additional info', '1c'],
    ['nested indefinite string', '5f 5f ff ff'],
  ])('rejects %s with a CborError', (_why, input) => {
    expect(() => decodeCbor(hex(input))).toThrow(CborError);
  });

  it('bounds nesting depth', () => {
    const deep = new Uint8Array(10_000).fill(0x81);
    expect(() => decodeCbor(deep)).toThrow(/nesting too deep/);
  });

  it('round-trips random values', () => {
    let seed = 7;
    const rnd = (): number => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
    const gen = (depth: number): unknown => {
      const k = Math.floor(rnd() * (depth > 3 ? 5 : 8));
      switch (k) {
        case 0: return Math.floor(rnd() * 2 ** 40) - 2 ** 39;
        case 1: return 'τ' + rnd().toString(36);
        case 2: return Uint8Array.from({ length: Math.floor(rnd() * 300) }, () => Math.floor(rnd() * 256));
        case 3: return rnd() > 0.5;
        case 4: return null;
        case 5: return Array.from({ length: Math.floor(rnd() * 5) }, () => gen(depth + 1));
        default: return Object.fromEntries(Array.from({ length: Math.floor(rnd() * 5) }, (_, i) => [`k${i}`, gen(depth + 1)]));
      }
    };
    for (let i = 0; i < 500; i++) {
      const v = gen(0) as Parameters<typeof encodeCbor>[0];
      expect(decodeCbor(encodeCbor(v)).value).toEqual(v);
    }
  });
});
