/**
 * The line's figures for the dashboard: main/station/kpi.ts and spc.ts over the runs of the line session (and over
 * every run of the station today), cut to the contract's bounds — at most LINE_LIMITS.spcCharts charts of the
 * latest LINE_LIMITS.spcPoints points each (the limits are computed over all of them first), at most
 * LINE_LIMITS.slots slots. Pure functions over records the line already holds, and one summary query for today.
 */
import type { KpiInfo, LineKpisInfo, SpcChartInfo } from '../contract/line';
import { LINE_LIMITS } from '../contract/line';
import type { RunRecord } from '../contract/run-record';
import { kpis, lineKpis, type Kpis } from '../station/kpi';
import { spcCharts, type SpcChart } from '../station/spc';
import type { Store } from '../store/types';

/** Runs of today read at most (newest first): a 64-slot line at 2 minutes a unit makes ~770 in a shift. */
export const TODAY_MAX_RUNS = 5000;

const finite = (n: number | undefined): number | undefined => (n !== undefined && Number.isFinite(n) ? n : undefined);
const share = (n: number | undefined): number | undefined => {
  const v = finite(n);
  return v === undefined ? undefined : Math.min(1, Math.max(0, v));
};

const nonNegative = (n: number | undefined): number | undefined => {
  const v = finite(n);
  return v === undefined ? undefined : Math.max(0, v);
};

/** The contract's shape of a Kpis (optional figures left absent rather than NaN). */
export function kpiInfo(k: Kpis): KpiInfo {
  return {
    units: k.units,
    passed: k.passed,
    failed: k.failed,
    devices: k.devices,
    windowStart: k.windowStart,
    windowEnd: k.windowEnd,
    unitsPerHour: nonNegative(k.unitsPerHour),
    firstPassYield: share(k.firstPassYield),
    finalYield: share(k.finalYield),
    runYield: share(k.runYield),
    failuresByStep: k.failuresByStep.slice(0, 16).map((f) => ({ step: f.step.slice(0, 64), count: f.count, share: share(f.share) ?? 0, cumulativeShare: share(f.cumulativeShare) ?? 0 })),
    cycleTimeMeanMs: nonNegative(k.cycleTimeMeanMs),
    cycleTimeP95Ms: nonNegative(k.cycleTimeP95Ms),
    firstPassUnits: k.firstPassUnits,
    rework: { units: k.rework.units, passed: k.rework.passed, failed: k.rework.failed, yield: share(k.rework.yield) },
  };
}

/** One chart within bounds: the latest points, each marked when it is an outlier; shifts re-indexed to them. */
export function spcChartInfo(chart: SpcChart, maxPoints: number = LINE_LIMITS.spcPoints): SpcChartInfo {
  const outlierRuns = new Set(chart.outliers.map((p) => p.run));
  const omitted = Math.max(0, chart.points.length - maxPoints);
  const points = chart.points.slice(omitted).map((p) => ({
    run: p.run,
    serial: p.serial.slice(0, 200),
    at: p.at,
    value: p.value,
    passed: p.passed,
    outlier: outlierRuns.has(p.run),
  }));
  const shifts = chart.shifts
    .filter((s) => s.to >= omitted)
    .map((s) => ({ side: s.side, from: Math.max(0, s.from - omitted), to: s.to - omitted }))
    .slice(-LINE_LIMITS.spcShifts);
  return {
    name: chart.name.slice(0, 200),
    unit: chart.unit?.slice(0, 32),
    n: chart.n,
    omitted,
    points,
    mean: finite(chart.mean) ?? 0,
    stdDev: finite(chart.stdDev),
    sigma: finite(chart.sigma),
    ucl: finite(chart.ucl),
    lcl: finite(chart.lcl),
    outliers: chart.outliers.length,
    shifts,
  };
}

/** Local midnight of `now`, as epoch ms. */
export function startOfDay(now: Date): number {
  const d = new Date(now);
  d.setHours(0, 0, 0, 0);
  return d.getTime();
}

/**
 * Today's finished runs at this station (local midnight on, at most `maxRuns` newest), from the store's run
 * summaries: enough for counts, yield, throughput and cycle time, and one cheap query — reading every full record
 * of a busy day each second would not be. Summaries carry no steps, so today's figures have no failure Pareto (the
 * session's has).
 */
export function todayRuns(store: Pick<Store, 'listRuns'>, now: Date, maxRuns: number = TODAY_MAX_RUNS): RunRecord[] {
  const since = startOfDay(now);
  const out: RunRecord[] = [];
  // Provisioning runs only: a field-service record (issue #16) is not a unit made today.
  for (const s of store.listRuns({ limit: maxRuns, startedSince: new Date(since).toISOString(), kind: 'provisioning' })) {
    if (s.outcome === 'running') continue;
    out.push({
      id: s.id,
      device: { serial: s.serial, port: '' },
      profile: { name: s.profile, version: s.profileVersion, sha256: '' },
      station: { name: s.station },
      variables: {},
      startedAt: s.startedAt,
      endedAt: s.endedAt,
      outcome: s.outcome,
      steps: [],
      diagnostics: [],
    });
  }
  return out;
}

/** What the session keeps of a finished run: steps without their evidence, diagnostics, no rollback. */
export function slimRecord(record: RunRecord): RunRecord {
  const { rollback: _rollback, certificate: _certificate, ...rest } = record;
  return { ...rest, steps: record.steps.map((step) => ({ ...step, evidence: {} })) };
}

/**
 * The figures of a line session: `slotOf` names the slot (watched port) a run ran in. Given the session's start, its
 * units/hour is over the session's real elapsed time (start → now), not first run → last run.
 */
export function lineFigures(session: readonly RunRecord[], today: readonly RunRecord[], slotOf: (record: RunRecord) => string, now: Date, sessionStartedAt?: string): LineKpisInfo {
  const elapsedMs = sessionStartedAt !== undefined ? Math.max(0, now.getTime() - Date.parse(sessionStartedAt)) : undefined;
  const line = lineKpis([...session], { slotKey: slotOf, ...(elapsedMs !== undefined ? { elapsedMs } : {}) });
  const bySlot: Record<string, KpiInfo> = {};
  for (const [slot, k] of Object.entries(line.bySlot).slice(0, LINE_LIMITS.slots)) bySlot[slot.slice(0, 1024)] = kpiInfo(k);
  return {
    at: now.toISOString(),
    session: kpiInfo(line.overall),
    bySlot,
    today: { ...kpiInfo(kpis([...today])), failuresByStep: [] },
    spc: spcCharts([...session])
      .slice(0, LINE_LIMITS.spcCharts)
      .map((c) => spcChartInfo(c)),
  };
}
