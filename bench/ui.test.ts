import { describe, expect, it } from 'vitest';
import { percentiles } from './ui';

describe('percentiles', () => {
  it('takes the nearest rank: the value at or below which the given share of samples lie', () => {
    const values = Array.from({ length: 100 }, (_, i) => 100 - i); // 100 … 1, unsorted on purpose
    expect(percentiles(values)).toEqual({ p50: 50, p95: 95, p99: 99, max: 100, count: 100 });
    expect(percentiles([16.7, 16.7, 33.3])).toMatchObject({ p50: 16.7, p95: 33.3, max: 33.3 });
  });

  it('says NaN rather than 0 when nothing was measured', () => {
    expect(percentiles([])).toMatchObject({ p95: NaN, count: 0 });
  });
});
