import { describe, expect, it } from 'vitest';
import { RunFilterSchema } from '../../../main/contract/runs-filter';
import { csvFileName, filterArgs, HISTORY_LIMIT, isFiltered, NO_FILTER } from './runs-filter';

describe('the Runs filter bar as a runs:list filter', () => {
  it('leaves blanks out and asks for the bounded first page', () => {
    expect(filterArgs(NO_FILTER)).toEqual({ limit: HISTORY_LIMIT });
    expect(filterArgs({ ...NO_FILTER, serial: '  ', profile: ' ' })).toEqual({ limit: HISTORY_LIMIT });
    expect(isFiltered(NO_FILTER)).toBe(false);
  });

  it('trims the serial (a prefix) and profile, and turns days into local midnights, the last day included', () => {
    const args = filterArgs({ serial: ' GW-00 ', outcome: 'failed', profile: 'gateway-eu ', fromDay: '2026-12-01', toDay: '2026-12-07' });
    expect(args).toMatchObject({ serialPrefix: 'GW-00', outcome: 'failed', profile: 'gateway-eu' });
    expect(new Date(args.from!).getDate()).toBe(1);
    expect(new Date(args.to!).getDate()).toBe(8);
    expect(new Date(args.to!).getHours()).toBe(0);
    // What the page sends passes the contract the Node side checks it with.
    expect(RunFilterSchema.safeParse(args).success).toBe(true);
  });

  it('names the CSV file after the day range', () => {
    expect(csvFileName(NO_FILTER, '2026-12-07')).toBe('fieldline-runs-2026-12-07.csv');
    expect(csvFileName({ ...NO_FILTER, fromDay: '2026-12-01' }, '2026-12-07')).toBe('fieldline-runs-2026-12-01_to_2026-12-07.csv');
  });
});
