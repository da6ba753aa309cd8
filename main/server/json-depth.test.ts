import { describe, expect, it } from 'vitest';
import { nestsDeeperThan } from './json-depth';

describe('nestsDeeperThan', () => {
  it('counts arrays and objects inside one another', () => {
    expect(nestsDeeperThan('{"a":[1,{"b":[]}]}', 4)).toBe(false);
    expect(nestsDeeperThan('{"a":[1,{"b":[]}]}', 3)).toBe(true);
    expect(nestsDeeperThan('[][][][]', 1)).toBe(false);
  });

  it('ignores brackets inside strings, escaped quotes included', () => {
    expect(nestsDeeperThan(JSON.stringify({ s: '[[[[{{{{"\\[' }), 1)).toBe(false);
    expect(nestsDeeperThan(JSON.stringify(['a"[[[', ['b']]), 2)).toBe(false);
    expect(nestsDeeperThan(JSON.stringify(['a\\', [['b']]]), 2)).toBe(true);
  });

  it('finds two million levels in one pass, allocating nothing per level', () => {
    const deep = '['.repeat(2_000_000) + ']'.repeat(2_000_000);
    expect(nestsDeeperThan(deep, 64)).toBe(true);
  });
});
