import { describe, expect, it } from 'vitest';
import type { DiagnosticResult, RunRecord } from '../contract/run-record';
import { sampleRunRecord } from '../testing/run-records';
import { sideRuns, spcCharts } from './spc';

const temp = (value: number, passed = true): DiagnosticResult => ({ name: 'temp', type: 'shell-number', passed, value, limits: { min: 0, max: 35 }, unit: '°C', durationMs: 1 });

function unit(i: number, diagnostics: DiagnosticResult[], outcome: RunRecord['outcome'] = 'passed'): RunRecord {
  const r = sampleRunRecord({ serial: `GW-${i}`, outcome, startedAt: new Date(Date.parse('2026-01-01T08:00:00Z') + i * 60_000).toISOString() });
  r.diagnostics = diagnostics;
  return r;
}

// temp: 10 12 10 12 10 12 10 12 10 28 39(failed, above its max of 35)
const values = [10, 12, 10, 12, 10, 12, 10, 12, 10, 28, 39];
const records = values.map((v, i) => unit(i, [temp(v, v <= 35), { name: 'banner', type: 'shell-match', passed: true, value: 'ok', limits: {}, durationMs: 1 }], v <= 35 ? 'passed' : 'failed'));

describe('SPC individuals chart', () => {
  it('mean, σ by moving range, limits, outliers and a shift — each by hand', () => {
    // given out of order, with a run still going: sorted by start, the running one left out
    const [chart, ...rest] = spcCharts([...records].reverse().concat(unit(99, [temp(1000)], 'running')));
    expect(rest).toEqual([]); // banner is not numeric
    expect(chart!.name).toBe('temp');
    expect(chart!.unit).toBe('°C');
    expect(chart!.n).toBe(11);
    expect(chart!.points.map((p) => p.value)).toEqual(values);
    // Σ = 5·10 + 4·12 + 28 + 39 = 165; mean 15
    expect(chart!.mean).toBe(15);
    // moving ranges: 2 (×8), |28−10| = 18, |39−28| = 11 → 45/10 = 4.5; σ̂ = 4.5/1.128
    expect(chart!.movingRangeMean).toBe(4.5);
    expect(chart!.sigma).toBeCloseTo(3.989361702, 8);
    expect(chart!.ucl).toBeCloseTo(26.968085106, 8); // 15 + 3·3.98936…
    expect(chart!.lcl).toBeCloseTo(3.031914894, 8);
    // sample s: squared deviations 5·25 + 4·9 + 13² + 24² = 906; /10 → √90.6. With 3s the limits would reach
    // 43.6 and hide the 28 — why the moving range is used.
    expect(chart!.stdDev).toBeCloseTo(Math.sqrt(90.6), 12);
    // 28 passed (max 35) but is above the UCL: an outlier; 39 is beyond too, but failed its limits: not flagged
    expect(chart!.outliers.map((p) => [p.serial, p.value])).toEqual([['GW-9', 28]]);
    // units 0–8 are all below the mean: a run of 9
    expect(chart!.shifts).toEqual([{ side: 'below', from: 0, to: 8, runs: records.slice(0, 9).map((r) => r.id) }]);
  });

  it('charts provisioning runs only: a service visit measuring the same diagnostic is no point (issue #16)', () => {
    const visit: RunRecord = { ...unit(50, [temp(1000)]), service: { action: 'diagnose', operator: 'Ana', before: {}, after: {} } };
    expect(spcCharts([...records, visit])).toEqual(spcCharts(records));
  });

  it('one point: a mean, no limits, no flags', () => {
    const [chart] = spcCharts([unit(0, [temp(20)])]);
    expect(chart).toMatchObject({ n: 1, mean: 20, outliers: [], shifts: [] });
    expect(chart!.ucl).toBeUndefined();
  });

  it('runs of 7 on one side: a point on the mean ends a run; 6 is not enough', () => {
    expect(sideRuns([1, 2, 1, 2, 1, 2, 5, 0, 1, 1], 0)).toEqual([{ side: 'above', from: 0, to: 6 }]);
    expect(sideRuns([1, 1, 1, 1, 1, 1, -1, -1], 0)).toEqual([]);
    expect(sideRuns([1, -1, -2, -3, -1, -1, -1, -9, 0], 0)).toEqual([{ side: 'below', from: 1, to: 7 }]);
    expect(sideRuns([0, 0, 0, 0, 0, 0, 0], 0)).toEqual([]);
  });
});
