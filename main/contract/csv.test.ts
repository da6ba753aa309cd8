import { describe, expect, it } from 'vitest';
import { csvField, toCsv } from './csv';
import { dayStart, runsCsv, RUNS_CSV_HEADER } from './runs-filter';

describe('CSV (RFC 4180, formula-guarded)', () => {
  it('quotes a field with a comma, a quote, CR or LF, and doubles its quotes', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField('cr\rhere')).toBe('"cr\rhere"');
    expect(csvField(undefined)).toBe('');
    expect(csvField(42)).toBe('42');
  });

  it('prefixes a cell a spreadsheet would run as a formula', () => {
    expect(csvField('=HYPERLINK("http://evil","x")')).toBe(`"'=HYPERLINK(""http://evil"",""x"")"`);
    expect(csvField('+1+1')).toBe("'+1+1");
    expect(csvField('-2+3')).toBe("'-2+3");
    expect(csvField('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvField('\t=1')).toBe("'\t=1");
    expect(csvField('GW-0001')).toBe('GW-0001');
  });

  it('ends every record with CRLF, the header first', () => {
    expect(toCsv(['a', 'b'], [['1', '2'], ['x,y', undefined]])).toBe('a,b\r\n1,2\r\n"x,y",\r\n');
  });

  it('writes runs with the shared columns, a running run without an end', () => {
    const run = { id: 'r1', serial: '=cmd|calc', profile: 'p', profileVersion: '1', station: 's', outcome: 'failed', startedAt: 't0', endedAt: 't1', errorCode: 'DIAGNOSTICS_FAILED' };
    const text = runsCsv([run, { ...run, id: 'r2', outcome: 'running', errorCode: undefined }]);
    const lines = text.split('\r\n');
    expect(lines[0]).toBe(RUNS_CSV_HEADER.join(','));
    expect(lines[1]).toBe("r1,'=cmd|calc,failed,DIAGNOSTICS_FAILED,p,1,s,t0,t1");
    expect(lines[2]).toBe("r2,'=cmd|calc,running,,p,1,s,t0,");
    expect(lines).toHaveLength(4);
    expect(lines[3]).toBe('');
  });
});

describe('dayStart', () => {
  it('is the local start of the day, and of the day after for the end of a range', () => {
    const start = new Date(dayStart('2026-12-07')!);
    expect([start.getFullYear(), start.getMonth(), start.getDate(), start.getHours(), start.getMinutes()]).toEqual([2026, 11, 7, 0, 0]);
    const end = new Date(dayStart('2026-12-31', 1)!);
    expect([end.getFullYear(), end.getMonth(), end.getDate(), end.getHours()]).toEqual([2027, 0, 1, 0]);
  });

  it('refuses what is not a day', () => {
    expect(dayStart('2026-02-30')).toBeUndefined();
    expect(dayStart('07.12.2026')).toBeUndefined();
    expect(dayStart('')).toBeUndefined();
  });
});
