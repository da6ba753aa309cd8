import { describe, expect, it } from 'vitest';
import { serialPieces } from './Serial';

describe('a serial cut only after its separators', () => {
  it('keeps each word whole and every character in order', () => {
    expect(serialPieces('F1E1D00000000001')).toEqual(['F1E1D00000000001']);
    expect(serialPieces('tty-F1E1D00000000001')).toEqual(['tty-', 'F1E1D00000000001']);
    expect(serialPieces('/dev/pts/3')).toEqual(['/', 'dev/', 'pts/', '3']);
    expect(serialPieces('GW_00:A1.b')).toEqual(['GW_', '00:', 'A1.', 'b']);
    for (const value of ['a--b', '-x-', 'plain', 'x/y_z']) expect(serialPieces(value).join('')).toBe(value);
  });
});
