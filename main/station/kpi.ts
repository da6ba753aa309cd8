/**
 * Line KPIs over finished run records (pure; runs still `running` are left out of every figure):
 * - throughput: finished runs per hour over the window first start → last end, and per clock hour (UTC) of the
 *   run's end;
 * - first-pass yield: devices whose first finished first-pass run (by start time) passed / devices with one; final
 *   yield: devices whose last run passed / devices; run yield: passed runs / finished runs;
 * - rework apart: a rework run is a run of a unit that already had a passed run (the record says so — `rework`, set
 *   by the runner from the store — or an earlier passed run is in the set). Rework runs never count against
 *   first-pass yield; they have their own counts and yield;
 * - units/hour only once it means something: at least MEANINGFUL_UNITS finished runs or a window of at least
 *   MEANINGFUL_WINDOW_MS (five units in a one-minute session are not 300 an hour). A line session gives its real
 *   elapsed time (start → now) as the window; otherwise it is first start → last end;
 * - failures by step (Pareto): each failed/interrupted/cancelled run counted once, at its first failed step
 *   (`none` when no step failed, e.g. cancelled before a step ended);
 * - cycle time (start → end): mean, and p95 by the nearest-rank method (the ⌈0.95·n⌉-th smallest).
 * The same figures per slot (a key function; by default the serial port) and per station.
 * Provisioning runs only: a field-service record (a record with a `service` section, issue #16) is not a unit made —
 * it counts in no figure, and its passing makes no later run a rework.
 */
import { STEP_ORDER, type RunRecord } from '../contract/run-record';

export interface HourBucket {
  /** Start of the UTC hour, ISO. */
  hour: string;
  units: number;
  passed: number;
}

export interface ParetoEntry {
  step: string;
  count: number;
  share: number;
  cumulativeShare: number;
}

/** Runs of units that had passed before: counted apart from first-pass runs. */
export interface ReworkKpis {
  units: number;
  passed: number;
  failed: number;
  devices: number;
  /** Passed rework runs / rework runs. */
  yield?: number;
}

export interface Kpis {
  units: number;
  passed: number;
  failed: number;
  devices: number;
  windowStart?: string;
  windowEnd?: string;
  windowHours: number;
  /** Undefined when the window is empty (fewer than one finished run, or zero length). */
  unitsPerHour?: number;
  perHour: HourBucket[];
  firstPassYield?: number;
  finalYield?: number;
  runYield?: number;
  failuresByStep: ParetoEntry[];
  cycleTimeMeanMs?: number;
  cycleTimeP95Ms?: number;
  /** First-pass runs (every finished run that is not a rework run). */
  firstPassUnits: number;
  rework: ReworkKpis;
}

export interface LineKpis {
  overall: Kpis;
  bySlot: Record<string, Kpis>;
  byStation: Record<string, Kpis>;
}

export interface KpiOptions {
  /** Which slot a run belongs to (default: its serial port). */
  slotKey?: (record: RunRecord) => string;
  /** The session's real elapsed time (a line session: start → now), used as the overall window for units/hour. */
  elapsedMs?: number;
}

const HOUR_MS = 3_600_000;
export const MEANINGFUL_UNITS = 5;
export const MEANINGFUL_WINDOW_MS = 5 * 60_000;

/** Whether a record counts as a unit: a provisioning run, not a field-service record. */
export const isUnitRun = (record: RunRecord): boolean => record.service === undefined;

/** The runs of `records` that are rework runs: marked so, or after a passed run of the same unit in the set. */
export function reworkRuns(all: readonly RunRecord[]): Set<RunRecord> {
  const records = all.filter(isUnitRun);
  const out = new Set<RunRecord>();
  const firstPass = new Map<string, number>();
  for (const r of records) {
    if (r.outcome !== 'passed' || !r.device.serial) continue;
    const at = Date.parse(r.startedAt);
    if (at < (firstPass.get(r.device.serial) ?? Infinity)) firstPass.set(r.device.serial, at);
  }
  for (const r of records) {
    const passedAt = firstPass.get(r.device.serial);
    if (r.rework === true || (passedAt !== undefined && Date.parse(r.startedAt) > passedAt)) out.add(r);
  }
  return out;
}

const ratio = (a: number, b: number): number | undefined => (b > 0 ? a / b : undefined);

/** Nearest-rank percentile of `values` (any order); undefined for none. */
export function percentile(values: number[], p: number): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length))) - 1];
}

export function cycleTimeMs(record: RunRecord): number {
  return Date.parse(record.endedAt) - Date.parse(record.startedAt);
}

function failedStep(record: RunRecord): string {
  return record.steps.find((s) => s.outcome === 'failed')?.name ?? 'none';
}

export function failurePareto(records: RunRecord[]): ParetoEntry[] {
  const counts = new Map<string, number>();
  for (const r of records) if (r.outcome !== 'passed' && r.outcome !== 'running') counts.set(failedStep(r), (counts.get(failedStep(r)) ?? 0) + 1);
  const total = [...counts.values()].reduce((a, b) => a + b, 0);
  const order = (step: string): number => {
    const i = (STEP_ORDER as readonly string[]).indexOf(step);
    return i < 0 ? STEP_ORDER.length : i;
  };
  const sorted = [...counts].sort((a, b) => b[1] - a[1] || order(a[0]) - order(b[0]));
  let cumulative = 0;
  return sorted.map(([step, count]) => {
    cumulative += count;
    return { step, count, share: count / total, cumulativeShare: cumulative / total };
  });
}

export function hourBuckets(records: RunRecord[]): HourBucket[] {
  const buckets = new Map<number, HourBucket>();
  for (const r of records) {
    const hour = Math.floor(Date.parse(r.endedAt) / HOUR_MS) * HOUR_MS;
    const b = buckets.get(hour) ?? { hour: new Date(hour).toISOString(), units: 0, passed: 0 };
    b.units += 1;
    if (r.outcome === 'passed') b.passed += 1;
    buckets.set(hour, b);
  }
  return [...buckets].sort((a, b) => a[0] - b[0]).map(([, b]) => b);
}

function reworkKpis(runs: RunRecord[]): ReworkKpis {
  const passed = runs.filter((r) => r.outcome === 'passed').length;
  return { units: runs.length, passed, failed: runs.length - passed, devices: new Set(runs.map((r) => r.device.serial)).size, yield: ratio(passed, runs.length) };
}

/** The KPIs of one set of runs (a line, a slot, a station). */
export function kpis(all: RunRecord[], options: Pick<KpiOptions, 'elapsedMs'> = {}): Kpis {
  const records = all.filter((r) => r.outcome !== 'running' && isUnitRun(r));
  const passed = records.filter((r) => r.outcome === 'passed').length;
  const starts = records.map((r) => Date.parse(r.startedAt));
  const ends = records.map((r) => Date.parse(r.endedAt));
  const first = records.length ? Math.min(...starts) : undefined;
  const last = records.length ? Math.max(...ends) : undefined;
  const windowMs = options.elapsedMs ?? (first !== undefined && last !== undefined ? Math.max(0, last - first) : 0);
  const windowHours = windowMs / HOUR_MS;
  const meaningful = windowMs > 0 && (records.length >= MEANINGFUL_UNITS || windowMs >= MEANINGFUL_WINDOW_MS);

  const rework = reworkRuns(records);
  const byDevice = new Map<string, RunRecord[]>();
  for (const r of records) byDevice.set(r.device.serial, [...(byDevice.get(r.device.serial) ?? []), r]);
  let firstPass = 0;
  let firstPassDevices = 0;
  let finalPass = 0;
  for (const runs of byDevice.values()) {
    runs.sort((a, b) => Date.parse(a.startedAt) - Date.parse(b.startedAt));
    // A unit reworked after passing (yesterday, or earlier in the set) is no first-pass failure whatever the rework did.
    const firstRun = runs.find((r) => !rework.has(r));
    if (firstRun) {
      firstPassDevices += 1;
      if (firstRun.outcome === 'passed') firstPass += 1;
    }
    if (runs.at(-1)!.outcome === 'passed') finalPass += 1;
  }
  const cycles = records.map(cycleTimeMs);
  return {
    units: records.length,
    passed,
    failed: records.length - passed,
    devices: byDevice.size,
    ...(first !== undefined ? { windowStart: new Date(first).toISOString() } : {}),
    ...(last !== undefined ? { windowEnd: new Date(last).toISOString() } : {}),
    windowHours,
    ...(meaningful ? { unitsPerHour: records.length / windowHours } : {}),
    perHour: hourBuckets(records),
    firstPassYield: ratio(firstPass, firstPassDevices),
    finalYield: ratio(finalPass, byDevice.size),
    runYield: ratio(passed, records.length),
    failuresByStep: failurePareto(records),
    cycleTimeMeanMs: cycles.length ? cycles.reduce((a, b) => a + b, 0) / cycles.length : undefined,
    cycleTimeP95Ms: percentile(cycles, 95),
    firstPassUnits: records.length - rework.size,
    rework: reworkKpis([...rework]),
  };
}

function groupBy(records: RunRecord[], key: (r: RunRecord) => string): Record<string, Kpis> {
  const groups = new Map<string, RunRecord[]>();
  // A slot or station whose only records are service visits has no figures at all, not a row of zeros.
  for (const r of records.filter(isUnitRun)) groups.set(key(r), [...(groups.get(key(r)) ?? []), r]);
  return Object.fromEntries([...groups].sort((a, b) => a[0].localeCompare(b[0])).map(([k, rs]) => [k, kpis(rs)]));
}

/** The line's KPIs, and the same per slot and per station. */
export function lineKpis(records: RunRecord[], options: KpiOptions = {}): LineKpis {
  const slotKey = options.slotKey ?? ((r: RunRecord) => r.device.port);
  return { overall: kpis(records, { ...(options.elapsedMs !== undefined ? { elapsedMs: options.elapsedMs } : {}) }), bySlot: groupBy(records, slotKey), byStation: groupBy(records, (r) => r.station.name) };
}
