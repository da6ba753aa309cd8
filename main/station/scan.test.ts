import { describe, expect, it } from 'vitest';
import { FieldlineError } from '../errors';
import { MAX_SCAN_LENGTH, parseScan, sameSerial } from './scan';

function refused(raw: string): FieldlineError {
  try {
    parseScan(raw);
  } catch (err) {
    expect(err).toBeInstanceOf(FieldlineError);
    expect((err as FieldlineError).code).toBe('SCAN_INVALID');
    return err as FieldlineError;
  }
  throw new Error(`parseScan accepted ${JSON.stringify(raw)}`);
}

describe('parseScan', () => {
  it('reads a serial, trimming the line ending a wedge scanner types (CR, LF or both) and blanks', () => {
    expect(parseScan('E3A1C0FFEE01\r\n')).toEqual({ kind: 'serial', value: 'E3A1C0FFEE01' });
    expect(parseScan('  GW-0042\r')).toEqual({ kind: 'serial', value: 'GW-0042' });
    expect(parseScan('abc123\n')).toEqual({ kind: 'serial', value: 'abc123' });
  });

  it('reads NAME=value as a batch variable, the value kept as scanned (inner "=" included)', () => {
    expect(parseScan('site=MUC-3\r\n')).toEqual({ kind: 'variable', name: 'site', value: 'MUC-3' });
    expect(parseScan('_lot2=A=B')).toEqual({ kind: 'variable', name: '_lot2', value: 'A=B' });
  });

  it('refuses empty scans, over-long ones and control characters, saying which', () => {
    expect(refused('\r\n').message).toMatch(/empty/);
    expect(refused('   ').message).toMatch(/empty/);
    expect(refused('A'.repeat(MAX_SCAN_LENGTH + 1)).message).toMatch(/at most 128/);
    expect(parseScan('A'.repeat(MAX_SCAN_LENGTH)).kind).toBe('serial');
    // A runaway stream is refused before it is even trimmed.
    expect(refused(' '.repeat(10_000)).message).toMatch(/10000 characters/);
    // GS1 group separator, an escape sequence, NUL, DEL, a C1 control.
    expect(refused('0104012345\u001d10ABC').message).toMatch(/0x1d at position 11/);
    expect(refused('\u001b[2~SERIAL').message).toMatch(/0x1b at position 1/);
    expect(refused('AB\u0000CD').message).toMatch(/0x00/);
    expect(refused('AB\u007f').message).toMatch(/0x7f/);
    expect(refused('AB\u0085CD').message).toMatch(/0x85/);
  });

  it('refuses bad variable names and empty values rather than taking them for a serial', () => {
    expect(refused('1site=MUC').message).toMatch(/"1site" is not a variable name/);
    expect(refused('site-code=MUC').message).toMatch(/not a variable name/);
    expect(refused('=MUC').message).toMatch(/not a variable name/);
    expect(refused('site=').message).toMatch(/site is scanned without a value/);
    expect(refused('site=  MUC').message).toMatch(/starts or ends with a space/);
  });

  it('refuses a serial with a blank inside (two labels scanned as one)', () => {
    expect(refused('GW1 GW2').message).toMatch(/no spaces/);
  });

  it('does not echo control characters or the whole of a long scan into its messages', () => {
    const message = refused(`X\u001b${'Y'.repeat(100)}`).message;
    expect(message.includes('\u001b')).toBe(false);
    expect(message).toContain('\\u001b');
    expect(message.length).toBeLessThan(140);
  });

  it('compares serials without regard to case', () => {
    expect(sameSerial('e3a1ff', 'E3A1FF')).toBe(true);
    expect(sameSerial('E3A1FF', 'E3A1F0')).toBe(false);
  });
});
