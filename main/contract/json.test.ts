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

describe('canonical JSON of what JavaScript orders its own way', () => {
  it('sorts index-like keys by code unit, as every other key, and keeps a __proto__ key as data', () => {
    expect(canonicalJson({ b: 1, 10: 'ten', 9: 'nine', a: { 2: true, 1: false } })).toBe('{"10":"ten","9":"nine","a":{"1":false,"2":true},"b":1}');
    const parsed: unknown = JSON.parse('{"z":1,"__proto__":{"polluted":true},"a":[{"y":1,"x":2}]}');
    expect(canonicalJson(parsed)).toBe('{"__proto__":{"polluted":true},"a":[{"x":2,"y":1}],"z":1}');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('writes a record as the key-by-key encoder does, and refuses the same values with the same words', () => {
    const value = { when: '2026-11-26T05:40:00.000Z', n: -0, e: 1e21, s: 'a\u0000"\\', nested: [[{ b: null, a: 'x' }]], empty: {} };
    expect(canonicalJson(value)).toBe('{"e":1e+21,"empty":{},"n":0,"nested":[[{"a":"x","b":null}]],"s":"a\\u0000\\"\\\\","when":"2026-11-26T05:40:00.000Z"}');
    expect(() => canonicalJson({ a: [{ b: Infinity }] }, 'record')).toThrow('record.a[0].b: Infinity has no JSON form');
    expect(() => canonicalJson({ a: new Map() })).toThrow('value.a: Map is not plain JSON');
  });
});
