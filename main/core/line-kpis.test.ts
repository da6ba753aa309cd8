/** The line's figures within the contract's bounds: KPIs, SPC charts cut to their latest points, today's runs. */
import { describe, expect, it } from 'vitest';
import { LineKpisSchema, LINE_LIMITS } from '../contract/line';
import type { RunRecord } from '../contract/run-record';
import { individualsChart, type SpcPoint } from '../station/spc';
import { openStore } from '../store/store';
import { sampleRunRecord, sampleServiceRecord } from '../testing/run-records';
import { lineFigures, slimRecord, spcChartInfo, startOfDay, todayRuns } from './line-kpis';

let n = 0;
function run(over: { outcome?: RunRecord['outcome']; port?: string; serial?: string; start: string; seconds?: number; temp?: number; failedStep?: RunRecord['steps'][number]['name'] }): RunRecord {
  n += 1;
  const id = `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
  const endedAt = new Date(Date.parse(over.start) + (over.seconds ?? 60) * 1000).toISOString();
  return {
    id,
    device: { serial: over.serial ?? `GW-${n}`, port: over.port ?? '/dev/ttyACM0' },
    profile: { name: 'p', version: '1', sha256: '' },
    station: { name: 'line-1' },
    variables: {},
    startedAt: over.start,
    endedAt,
    outcome: over.outcome ?? 'passed',
    steps: over.failedStep ? [{ name: over.failedStep, startedAt: over.start, endedAt, outcome: 'failed', evidence: {} }] : [],
    diagnostics: over.temp === undefined ? [] : [{ name: 'temperature', type: 'shell-number', passed: true, value: over.temp, limits: { min: -20, max: 70 }, unit: 'C', durationMs: 3 }],
  };
}

describe('lineFigures', () => {
  it('gives the session, each slot and today, with SPC charts, in the contract’s shape', () => {
    const session = [
      run({ port: '/ports/A', start: '2026-03-02T10:00:00.000Z', temp: 40 }),
      run({ port: '/ports/B', start: '2026-03-02T10:00:30.000Z', temp: 41 }),
      run({ port: '/ports/A', start: '2026-03-02T10:01:00.000Z', outcome: 'failed', failedStep: 'diagnostics', temp: 90 }),
      run({ port: '/ports/B', start: '2026-03-02T10:01:30.000Z', outcome: 'running' }),
    ];
    const slotOf = (r: RunRecord): string => r.device.port;
    const figures = lineFigures(session, [...session, run({ start: '2026-03-02T08:00:00.000Z' })], slotOf, new Date('2026-03-02T10:05:00.000Z'));
    expect(LineKpisSchema.safeParse(figures).success).toBe(true);
    expect(figures.session).toMatchObject({ units: 3, passed: 2, failed: 1, devices: 3, cycleTimeMeanMs: 60_000, cycleTimeP95Ms: 60_000 });
    expect(figures.session.firstPassYield).toBeCloseTo(2 / 3);
    expect(figures.session.failuresByStep).toEqual([{ step: 'diagnostics', count: 1, share: 1, cumulativeShare: 1 }]);
    expect(Object.keys(figures.bySlot)).toEqual(['/ports/A', '/ports/B']);
    expect(figures.bySlot['/ports/A']).toMatchObject({ units: 2, passed: 1, failed: 1 });
    expect(figures.today).toMatchObject({ units: 4, passed: 3 });
    expect(figures.spc.map((c) => [c.name, c.n, c.unit])).toEqual([['temperature', 3, 'C']]);
  });

  it('units/hour over the session’s elapsed time, once it means something; rework runs apart', () => {
    // Five units in 20 s of runs, in a session started two minutes ago: 150 an hour, not 900.
    const five = Array.from({ length: 5 }, (_, i) => run({ start: `2026-03-02T10:00:0${i}.000Z`, seconds: 16 }));
    const now = new Date('2026-03-02T10:02:00.000Z');
    expect(lineFigures(five, [], (r) => r.device.port, now, '2026-03-02T10:00:00.000Z').session.unitsPerHour).toBeCloseTo(150, 9);
    expect(lineFigures(five.slice(0, 4), [], (r) => r.device.port, now, '2026-03-02T10:00:00.000Z').session.unitsPerHour).toBeUndefined();
    const reworked = [run({ serial: 'GW-A', start: '2026-03-02T10:00:00.000Z' }), { ...run({ serial: 'GW-B', start: '2026-03-02T10:00:10.000Z' }), rework: true }];
    const figures = lineFigures(reworked, [], (r) => r.device.port, now, '2026-03-02T10:00:00.000Z');
    expect(LineKpisSchema.safeParse(figures).success).toBe(true);
    expect(figures.session).toMatchObject({ units: 2, firstPassUnits: 1, firstPassYield: 1, rework: { units: 1, passed: 1, failed: 0, yield: 1 } });
  });

  it('leaves a figure out rather than sending NaN when there are no runs', () => {
    const figures = lineFigures([], [], () => 'x', new Date('2026-03-02T10:05:00.000Z'));
    expect(LineKpisSchema.safeParse(figures).success).toBe(true);
    expect(figures.session.units).toBe(0);
    expect(figures.session.unitsPerHour).toBeUndefined();
    expect(figures.session.firstPassYield).toBeUndefined();
    expect(JSON.stringify(figures)).not.toContain('null');
  });
});

describe('spcChartInfo', () => {
  const points = (values: number[], passed: (i: number) => boolean = () => true): SpcPoint[] =>
    values.map((value, i) => ({ run: `00000000-0000-4000-8000-${String(i + 1).padStart(12, '0')}`, serial: `S${i}`, at: new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString(), value, passed: passed(i) }));

  it('marks the outliers (inside the profile limits, outside the control limits) on their points', () => {
    const values = [10, 10.2, 9.9, 10.1, 10, 9.8, 10.1, 10, 10.2, 9.9, 14, 10];
    const chart = spcChartInfo(individualsChart('temp', points(values)));
    expect(chart.outliers).toBe(1);
    expect(chart.points.filter((p) => p.outlier).map((p) => p.value)).toEqual([14]);
    // A failed unit outside the limits is a failure, not an outlier.
    const failedChart = spcChartInfo(individualsChart('temp', points(values, (i) => i !== 10)));
    expect(failedChart.points.some((p) => p.outlier)).toBe(false);
  });

  it('sends only the latest points, computed over all, and re-indexes the shifts to what is sent', () => {
    const values = [...Array.from({ length: 20 }, (_, i) => (i % 2 ? 9 : 11)), ...Array.from({ length: 10 }, () => 12)];
    const full = individualsChart('v', points(values));
    expect(full.shifts).toHaveLength(1);
    const cut = spcChartInfo(full, 15);
    expect(cut).toMatchObject({ n: 30, omitted: 15, mean: full.mean, ucl: full.ucl, lcl: full.lcl });
    expect(cut.points).toHaveLength(15);
    expect(cut.points[0]?.value).toBe(values[15]);
    expect(cut.shifts).toEqual([{ side: 'above', from: full.shifts[0]!.from - 15, to: full.shifts[0]!.to - 15 }]);
    expect(spcChartInfo(full, 3).shifts).toEqual([{ side: 'above', from: 0, to: 2 }]);
    expect(spcChartInfo(individualsChart('many', points(Array.from({ length: 2000 }, (_, i) => i % 7)))).points).toHaveLength(LINE_LIMITS.spcPoints);
  });
});

describe('today’s runs', () => {
  it('are the finished runs since local midnight, from the summaries alone', () => {
    const now = new Date(2026, 2, 2, 15, 0, 0);
    const midnight = startOfDay(now);
    const records = [
      run({ start: new Date(midnight + 3_600_000).toISOString(), outcome: 'failed', failedStep: 'diagnostics' }),
      run({ start: new Date(midnight + 7_200_000).toISOString(), outcome: 'running' }),
      run({ start: new Date(midnight - 60_000).toISOString() }),
    ];
    const store = {
      // As the store answers it: startedSince is a text comparison of ISO times (main/store/store.test.ts).
      listRuns: (o?: { startedSince?: string }) => records.filter((r) => o?.startedSince === undefined || r.startedAt >= o.startedSince).map((r) => ({ id: r.id, serial: r.device.serial, profile: 'p', profileVersion: '1', station: 's', outcome: r.outcome, startedAt: r.startedAt, endedAt: r.endedAt })),
    };
    const today = todayRuns(store, now);
    expect(today.map((r) => [r.id, r.outcome])).toEqual([[records[0]!.id, 'failed']]);
    const figures = lineFigures([], today, () => 'x', now);
    expect(figures.today).toMatchObject({ units: 1, failed: 1, failuresByStep: [] });
  });

  it("today's units from the store are provisioning runs only, never a field-service record (issue #16)", () => {
    const store = openStore(':memory:');
    try {
      // Both within the minute before now: on the same local day in every time zone (midnight falls on a full or half hour).
      const now = new Date('2026-03-02T11:59:59.000Z');
      store.saveRun(sampleRunRecord({ id: 'run-today', serial: 'GW-T', startedAt: '2026-03-02T11:59:00.000Z', outcome: 'passed' }));
      store.saveRun(sampleServiceRecord({ id: 'visit-today', serial: 'GW-T', startedAt: '2026-03-02T11:59:10.000Z' }));
      expect(todayRuns(store, now).map((r) => r.id)).toEqual(['run-today']);
    } finally {
      store.close();
    }
  });

  it('the session keeps runs without their evidence', () => {
    const r = run({ start: '2026-03-02T10:00:00.000Z', outcome: 'failed', failedStep: 'diagnostics', temp: 40 });
    const full = { ...r, steps: r.steps.map((s) => ({ ...s, evidence: { big: 'x'.repeat(10_000) } })), rollback: { startedAt: 'a', endedAt: 'b', actions: [] } };
    const slim = slimRecord(full);
    expect(slim.steps[0]).toMatchObject({ name: 'diagnostics', outcome: 'failed', evidence: {} });
    expect(slim.rollback).toBeUndefined();
    expect(slim.diagnostics).toEqual(r.diagnostics);
  });
});
