/** JSON text looked at before parsing: nesting counted from the bytes, with brackets inside strings ignored. */
import { describe, expect, it } from 'vitest';
import { nestsDeeperThan } from './json-text';

describe('nestsDeeperThan (JSON text)', () => {
  const text = (s: string): Uint8Array => Buffer.from(s);
  it('counts brackets outside strings only, escaped quotes included', () => {
    expect(nestsDeeperThan(text('[[1]]'), 2)).toBe(false);
    expect(nestsDeeperThan(text('[[[1]]]'), 2)).toBe(true);
    expect(nestsDeeperThan(text('{"a":"[[[[[[","b":"\\"[[[[","c":{}}'), 2)).toBe(false);
    expect(nestsDeeperThan(text('{"a":"\\\\","b":[[[]]]}'), 3)).toBe(true);
  });

  it('reads 200,000 levels in one pass', () => {
    expect(nestsDeeperThan(text('['.repeat(200_000) + ']'.repeat(200_000)), 40)).toBe(true);
  });
});
