/**
 * Statistical process control on diagnostic measurements: an individuals (X) chart per numeric diagnostic, by
 * name, over a batch of runs in start-time order.
 *
 * σ is estimated by the moving-range method, σ̂ = MR̄ / d2 with d2 = 1.128 (the constant for ranges of 2), and the
 * control limits are mean ± 3σ̂. Why not the overall sample standard deviation: each unit is one measurement (no
 * rational subgroups), and the moving range between consecutive units measures short-term, unit-to-unit variation
 * only. A drift or a shift in the batch inflates the overall standard deviation and so widens the limits until they
 * hide the very change the chart is there to catch; MR̄ barely moves. (The sample standard deviation is reported
 * too, for comparison.)
 *
 * Flags: an outlier is a unit whose measurement passed its profile limits (the diagnostic passed) but lies outside
 * the control limits — a unit that would ship while looking unlike its batch. A run is 7 or more consecutive
 * measurements strictly on one side of the mean (a point on the mean ends a run) — a sign of a shift.
 */
import type { RunRecord } from '../contract/run-record';
import { isUnitRun } from './kpi';

export const D2 = 1.128;
export const RUN_LENGTH = 7;

export interface SpcPoint {
  run: string;
  serial: string;
  at: string;
  value: number;
  /** The diagnostic passed its profile limits. */
  passed: boolean;
}

export interface SpcRun {
  side: 'above' | 'below';
  /** Indexes into points, inclusive. */
  from: number;
  to: number;
  runs: string[];
}

export interface SpcChart {
  name: string;
  unit?: string;
  n: number;
  points: SpcPoint[];
  mean: number;
  /** Sample standard deviation (n − 1), for comparison; undefined below 2 points. */
  stdDev?: number;
  /** Mean moving range |xᵢ − xᵢ₋₁|; undefined below 2 points. */
  movingRangeMean?: number;
  /** σ̂ = MR̄ / 1.128. */
  sigma?: number;
  ucl?: number;
  lcl?: number;
  /** Inside profile limits, outside control limits. */
  outliers: SpcPoint[];
  /** Runs of ≥ 7 on one side of the mean. */
  shifts: SpcRun[];
}

const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

/** Maximal runs of at least `length` consecutive values strictly on one side of `centre`. */
export function sideRuns(values: number[], centre: number, length = RUN_LENGTH): Array<Omit<SpcRun, 'runs'>> {
  const found: Array<Omit<SpcRun, 'runs'>> = [];
  let start = 0;
  for (let i = 0; i <= values.length; i += 1) {
    const side = (k: number): number => Math.sign(values[k]! - centre);
    if (i < values.length && i > start && side(i) === side(start) && side(i) !== 0) continue;
    if (i - start >= length && side(start) !== 0) found.push({ side: side(start) > 0 ? 'above' : 'below', from: start, to: i - 1 });
    start = i;
  }
  return found;
}

/** The individuals chart of one series of points (in production order). */
export function individualsChart(name: string, points: SpcPoint[], unit?: string): SpcChart {
  const xs = points.map((p) => p.value);
  const m = xs.length ? mean(xs) : NaN;
  const chart: SpcChart = { name, ...(unit !== undefined ? { unit } : {}), n: xs.length, points, mean: m, outliers: [], shifts: [] };
  if (xs.length < 2) return chart;
  chart.stdDev = Math.sqrt(xs.reduce((a, x) => a + (x - m) ** 2, 0) / (xs.length - 1));
  chart.movingRangeMean = mean(xs.slice(1).map((x, i) => Math.abs(x - xs[i]!)));
  chart.sigma = chart.movingRangeMean / D2;
  chart.ucl = m + 3 * chart.sigma;
  chart.lcl = m - 3 * chart.sigma;
  const { ucl, lcl } = chart;
  chart.outliers = points.filter((p) => p.passed && (p.value > ucl || p.value < lcl));
  chart.shifts = sideRuns(xs, m).map((r) => ({ ...r, runs: points.slice(r.from, r.to + 1).map((p) => p.run) }));
  return chart;
}

/**
 * One chart per numeric diagnostic name, over finished provisioning runs in start-time order: a field-service visit's
 * diagnostics (issue #16) measure a unit in the field, not the line's process.
 */
export function spcCharts(records: RunRecord[]): SpcChart[] {
  const ordered = records
    .filter((r) => r.outcome !== 'running' && isUnitRun(r))
    .sort((a, b) => Date.parse(a.startedAt) - Date.parse(b.startedAt) || a.id.localeCompare(b.id));
  const series = new Map<string, { unit?: string; points: SpcPoint[] }>();
  for (const r of ordered) {
    for (const d of r.diagnostics) {
      if (typeof d.value !== 'number' || !Number.isFinite(d.value)) continue;
      const s = series.get(d.name) ?? { ...(d.unit !== undefined ? { unit: d.unit } : {}), points: [] };
      s.points.push({ run: r.id, serial: r.device.serial, at: r.startedAt, value: d.value, passed: d.passed });
      series.set(d.name, s);
    }
  }
  return [...series].sort((a, b) => a[0].localeCompare(b[0])).map(([name, s]) => individualsChart(name, s.points, s.unit));
}
