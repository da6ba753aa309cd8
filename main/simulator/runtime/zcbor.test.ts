import { describe, expect, it } from 'vitest';
import { CborMap, decodeCbor, encodeCbor } from '../../smp/cbor';
import { encodeZcbor } from './zcbor';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

describe('encodeZcbor', () => {
  it('writes maps and arrays with indefinite length, as zcbor does', () => {
    expect(hex(encodeZcbor({}))).toBe('bfff');
    expect(hex(encodeZcbor([]))).toBe('9fff');
    // {"r": "hi"}
    expect(hex(encodeZcbor({ r: 'hi' }))).toBe('bf6172626869ff');
    expect(hex(encodeZcbor({ a: [1, 2] }))).toBe('bf61619f0102ffff');
  });

  it('encodes scalars exactly like encodeCbor', () => {
    for (const v of [0, 23, 24, 255, 256, 65536, -1, -500, 2 ** 40, 'text', new Uint8Array([1, 2, 3]), true, false, null]) {
      expect(hex(encodeZcbor(v))).toBe(hex(encodeCbor(v)));
    }
  });

  it('leaves out undefined fields and keeps CborMap order', () => {
    expect(hex(encodeZcbor({ a: 1, b: undefined }))).toBe('bf616101ff');
    expect(hex(encodeZcbor(new CborMap([[2, 'x'], ['a', 1]])))).toBe('bf026178616101ff');
  });

  it('produces what the client decoder reads back, reporting the indefinite containers', () => {
    const value = {
      images: [{ slot: 0, version: '1.0.0', hash: new Uint8Array(32).fill(7), active: true }],
      err: { group: 8, rc: 3 },
    };
    const decoded = decodeCbor(encodeZcbor(value));
    expect(decoded.value).toEqual(value);
    expect(decoded.indefinite).toEqual(['map', 'array', 'map', 'map']);
  });
});
