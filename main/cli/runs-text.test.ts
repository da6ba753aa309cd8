import { describe, expect, it } from 'vitest';
import { sampleRunRecord } from '../testing/run-records';
import { formatDuration, runsTable, runText, table } from './runs-text';

describe('runs text', () => {
  it('formats durations for people', () => {
    expect([0, 850, 1200, 59_940, 61_000, 3_725_000].map(formatDuration)).toEqual(['0 ms', '850 ms', '1.2 s', '59.9 s', '1 min 01 s', '62 min 05 s']);
    expect(formatDuration(NaN)).toBe('-');
  });

  it('aligns columns without trailing blanks', () => {
    expect(table(['A', 'BB'], [['xxx', ''], ['y', 'z']])).toBe('A    BB\nxxx\ny    z');
    // Figures right-aligned from column 1, indented.
    expect(table(['step', 'n'], [['identify', '7'], ['firmware', '12']], '  ', 1)).toBe('  step       n\n  identify   7\n  firmware  12');
  });

  it('shows a running run without a duration', () => {
    const run = { ...sampleRunRecord({ id: 'r', outcome: 'running' }), error: undefined };
    expect(runText(run)).toMatch(/^Run r {2}RUNNING\n/);
    expect(runText(run)).toContain('still running');
    expect(runsTable([{ id: 'r', serial: 'S', profile: 'p', profileVersion: '1', station: 's', outcome: 'running', startedAt: run.startedAt, endedAt: run.startedAt }])).toMatch(/running\s+S\s+p 1\s+s\s+-$/m);
    expect(runsTable([])).toBe('no runs');
  });
});
