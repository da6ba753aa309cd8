/** The record edge's own rules, below HTTP: times on the calendar, and free-form bounds checked without recursion. */
import { describe, expect, it } from 'vitest';
import { isIsoTime, jsonBoundsProblem, RECORD_BOUNDS } from './record';

describe('isIsoTime', () => {
  it('takes ISO-8601 with seconds and a zone whose every field is on the calendar', () => {
    for (const ok of ['2026-11-26T05:40:00.000Z', '2026-11-26T05:40:00Z', '2028-02-29T23:59:59.123456789Z', '2026-11-26T07:40:00+02:00', '2026-11-26T01:40:00-04:00']) {
      expect(isIsoTime(ok), ok).toBe(true);
    }
    for (const bad of ['', 'not a date', '2026-02-29T00:00:00Z', '2026-04-31T00:00:00Z', '2026-13-01T00:00:00Z', '2026-11-26T24:00:00Z', '2026-11-26T05:60:00Z', '2026-11-26T05:40:60Z', '2026-11-26 05:40:00Z', '2026-11-26T05:40Z', '2026-11-26T05:40:00', '2026-11-26T05:40:00+24:00', '2026-11-26T05:40:00.Z']) {
      expect(isIsoTime(bad), bad).toBe(false);
    }
  });
});

/** `levels` nested arrays, built without recursion. */
function arrays(levels: number): unknown {
  let value: unknown = 1;
  for (let i = 0; i < levels; i += 1) value = [value];
  return value;
}

describe('jsonBoundsProblem', () => {
  it('takes exactly the depth bound and names the path of the first level beyond it', () => {
    expect(jsonBoundsProblem(arrays(RECORD_BOUNDS.jsonDepth))).toBeUndefined();
    expect(jsonBoundsProblem(arrays(RECORD_BOUNDS.jsonDepth + 1))).toEqual({ at: '.0.0.0.0.0.0… (32 keys in)', message: 'nested deeper than 32 levels' });
  });

  it('walks a million levels without overflowing the stack', () => {
    expect(jsonBoundsProblem(arrays(1_000_000))?.message).toBe('nested deeper than 32 levels');
  });

  it('reports the first problem in document order', () => {
    expect(jsonBoundsProblem({ a: 1, b: { c: Infinity }, d: 'x'.repeat(RECORD_BOUNDS.stringChars + 1) })).toEqual({ at: '.b.c', message: 'a number out of range' });
  });

  it('refuses __proto__ keys, long keys, too many keys or items, long strings', () => {
    const cases: Array<[unknown, string]> = [
      [JSON.parse('{"a":{"__proto__":{"polluted":true}}}'), 'a key named __proto__'],
      [{ ['k'.repeat(RECORD_BOUNDS.keyChars + 1)]: 1 }, `a key longer than ${RECORD_BOUNDS.keyChars} characters`],
      [Object.fromEntries(Array.from({ length: RECORD_BOUNDS.objectKeys + 1 }, (_, i) => [`k${i}`, i])), `an object of more than ${RECORD_BOUNDS.objectKeys} keys`],
      [{ list: new Array<number>(RECORD_BOUNDS.arrayItems + 1).fill(0) }, `an array of more than ${RECORD_BOUNDS.arrayItems} items`],
      [['x'.repeat(RECORD_BOUNDS.stringChars + 1)], `a string longer than ${RECORD_BOUNDS.stringChars} characters`],
      [{ n: Number.NaN }, 'a number out of range'],
    ];
    for (const [value, message] of cases) expect(jsonBoundsProblem(value)?.message).toBe(message);
  });
});
