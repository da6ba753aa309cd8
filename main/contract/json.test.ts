import { describe, expect, it } from 'vitest';
import { canonicalJson, strictJson } from './json';

describe('store JSON', () => {
  it('writes what JSON.stringify writes, in key order or sorted', () => {
    const value = { b: 1, a: [true, null, 'x\u2028"'], c: { z: 0.5, y: -3 }, d: undefined };
    expect(strictJson(value)).toBe(JSON.stringify(value));
    expect(canonicalJson(value)).toBe('{"a":[true,null,"x\u2028\\""],"b":1,"c":{"y":-3,"z":0.5}}');
  });

  it('refuses what would not read back equal, naming where it is', () => {
    expect(() => strictJson({ a: { b: NaN } }, 'record')).toThrow('record.a.b: NaN has no JSON form');
    expect(() => strictJson({ bytes: new Uint8Array(2) })).toThrow('value.bytes: Uint8Array is not plain JSON');
    expect(() => strictJson({ when: new Date(0) })).toThrow(/Date is not plain JSON/);
    expect(() => strictJson([1, undefined])).toThrow('value[1]: undefined has no JSON form');
    expect(() => strictJson({ n: 10n })).toThrow(/bigint has no JSON form/);
  });
});
