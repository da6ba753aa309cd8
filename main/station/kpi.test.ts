import { describe, expect, it } from 'vitest';
import { STEP_ORDER, type RunRecord, type StepName } from '../contract/run-record';
import { sampleRunRecord } from '../testing/run-records';
import { kpis, lineKpis, percentile, reworkRuns } from './kpi';

/** A run of `serial` on `port`, starting at 08:00 UTC + `startMin` minutes, lasting `seconds`. */
function run(serial: string, port: string, startMin: number, seconds: number, outcome: RunRecord['outcome'], failAt?: StepName, station = 'line-3'): RunRecord {
  const start = Date.parse('2026-01-01T08:00:00.000Z') + startMin * 60_000;
  const r = sampleRunRecord({ serial, outcome, startedAt: new Date(start).toISOString() });
  r.device.port = port;
  r.station.name = station;
  r.endedAt = outcome === 'running' ? '' : new Date(start + seconds * 1000).toISOString();
  const failIndex = failAt ? STEP_ORDER.indexOf(failAt) : -1;
  r.steps = r.steps.map((s, i) => ({ ...s, outcome: failIndex < 0 || i < failIndex ? 'passed' : i === failIndex ? 'failed' : 'skipped' }));
  return r;
}

const records = [
  run('A', 'p1', 0, 60, 'passed'), //          ends 08:01:00
  run('B', 'p2', 0.5, 120, 'failed', 'diagnostics'), // ends 08:02:30
  run('C', 'p1', 10, 90, 'passed'), //         ends 08:11:30
  run('B', 'p2', 20, 60, 'passed'), //         ends 08:21:00 (B's retry)
  run('D', 'p2', 50, 300, 'failed', 'identity'), // ends 08:55:00
  run('E', 'p1', 60, 30, 'failed', 'diagnostics'), // ends 09:00:30
  run('F', 'p1', 90, 1800, 'passed', undefined, 'line-4'), // 09:30 → 10:00:00
  run('G', 'p1', 100, 0, 'running'), //        left out of every figure
];

describe('line KPIs', () => {
  it('overall: throughput, yields, Pareto and cycle time, each by hand', () => {
    const k = kpis(records);
    expect(k).toMatchObject({ units: 7, passed: 4, failed: 3, devices: 6 });
    // window 08:00:00 → 10:00:00 = 2 h; 7 units / 2 h
    expect(k.windowStart).toBe('2026-01-01T08:00:00.000Z');
    expect(k.windowEnd).toBe('2026-01-01T10:00:00.000Z');
    expect(k.windowHours).toBe(2);
    expect(k.unitsPerHour).toBe(3.5);
    // by hour of the end: 08 → runs 1–5 (3 passed), 09 → run 6, 10 → run 7
    expect(k.perHour).toEqual([
      { hour: '2026-01-01T08:00:00.000Z', units: 5, passed: 3 },
      { hour: '2026-01-01T09:00:00.000Z', units: 1, passed: 0 },
      { hour: '2026-01-01T10:00:00.000Z', units: 1, passed: 1 },
    ]);
    // first runs: A ✓, B ✗, C ✓, D ✗, E ✗, F ✓ → 3/6; last runs: A, B, C, F pass → 4/6; runs 4/7
    expect(k.firstPassYield).toBe(0.5);
    expect(k.finalYield).toBeCloseTo(4 / 6, 12);
    expect(k.runYield).toBeCloseTo(4 / 7, 12);
    // failures: diagnostics ×2, identity ×1
    expect(k.failuresByStep).toEqual([
      { step: 'diagnostics', count: 2, share: 2 / 3, cumulativeShare: 2 / 3 },
      { step: 'identity', count: 1, share: 1 / 3, cumulativeShare: 1 },
    ]);
    // cycle times 60 120 90 60 300 30 1800 s: mean 2460/7 s; p95 = ⌈0.95·7⌉ = 7th smallest = 1800 s
    expect(k.cycleTimeMeanMs).toBeCloseTo(2_460_000 / 7, 9);
    expect(k.cycleTimeP95Ms).toBe(1_800_000);
  });

  it('per slot (default: the port) and per station, or by a given key', () => {
    const line = lineKpis(records);
    expect(Object.keys(line.bySlot)).toEqual(['p1', 'p2']);
    const p1 = line.bySlot.p1!;
    // p1: A, C, E, F; 08:00 → 10:00
    expect(p1).toMatchObject({ units: 4, passed: 3, unitsPerHour: 2, firstPassYield: 0.75, cycleTimeMeanMs: 495_000, cycleTimeP95Ms: 1_800_000 });
    expect(p1.failuresByStep).toEqual([{ step: 'diagnostics', count: 1, share: 1, cumulativeShare: 1 }]);
    // p2: B ✗, B ✓, D ✗; 08:00:30 → 08:55:00 = 54.5 min; a tie in the Pareto goes in step order
    const p2 = line.bySlot.p2!;
    expect(p2.unitsPerHour).toBeCloseTo(180 / 54.5, 12);
    expect(p2).toMatchObject({ firstPassYield: 0, finalYield: 0.5, cycleTimeMeanMs: 160_000, cycleTimeP95Ms: 300_000 });
    expect(p2.failuresByStep).toEqual([
      { step: 'identity', count: 1, share: 0.5, cumulativeShare: 0.5 },
      { step: 'diagnostics', count: 1, share: 0.5, cumulativeShare: 1 },
    ]);
    expect(Object.keys(line.byStation)).toEqual(['line-3', 'line-4']);
    expect(line.byStation['line-4']).toMatchObject({ units: 1, windowHours: 0.5, unitsPerHour: 2, firstPassYield: 1 });
    // line-3: 08:00:00 → 09:00:30
    expect(line.byStation['line-3']!.unitsPerHour).toBeCloseTo(6 / (60.5 / 60), 12);
    const bySerialPrefix = lineKpis(records, { slotKey: (r) => (r.device.serial < 'D' ? 'left' : 'right') });
    expect(bySerialPrefix.bySlot.left!.units).toBe(4);
    expect(bySerialPrefix.bySlot.right!.units).toBe(3);
  });

  it('no finished runs: zeros and no ratios', () => {
    const k = kpis([run('G', 'p1', 0, 0, 'running')]);
    expect(k).toMatchObject({ units: 0, devices: 0, windowHours: 0, perHour: [], failuresByStep: [] });
    expect(k.unitsPerHour).toBeUndefined();
    expect(k.firstPassYield).toBeUndefined();
    expect(k.cycleTimeP95Ms).toBeUndefined();
  });

  it('counts rework runs (a unit that had passed) apart, never against first-pass yield', () => {
    const reworked = [
      run('A', 'p1', 0, 60, 'passed'),
      run('B', 'p2', 0, 60, 'failed', 'diagnostics'),
      run('A', 'p1', 10, 60, 'failed', 'identity'), // A had passed: a rework run, failed
      run('B', 'p2', 10, 60, 'passed'), // B's retry: not rework (B never passed)
      run('B', 'p2', 20, 60, 'passed'), // B passed before: rework
      { ...run('C', 'p1', 20, 60, 'passed'), rework: true }, // C passed before the set (the record says so)
    ];
    const k = kpis(reworked);
    expect(k).toMatchObject({ units: 6, passed: 4, firstPassUnits: 3, rework: { units: 3, passed: 2, failed: 1, devices: 3 } });
    expect(k.rework.yield).toBeCloseTo(2 / 3, 12);
    // first-pass runs: A ✓, B ✗ (C has none) → 1/2; A's failed rework does not make it a first-pass failure
    expect(k.firstPassYield).toBe(0.5);
    expect(kpis([{ ...run('C', 'p1', 0, 60, 'passed'), rework: true }])).toMatchObject({ firstPassUnits: 0, rework: { units: 1, passed: 1, yield: 1 } });
    expect(kpis([{ ...run('C', 'p1', 0, 60, 'passed'), rework: true }]).firstPassYield).toBeUndefined();
  });

  it('counts provisioning runs only: a service record is no unit, no yield, no failure and no earlier pass (issue #16)', () => {
    const serviced = (serial: string, startMin: number, outcome: RunRecord['outcome'], failAt?: StepName): RunRecord => ({
      ...run(serial, 'p1', startMin, 600, outcome, failAt),
      service: { action: 'remediate', operator: 'Ana', before: {}, after: {} },
    });
    // The runs of the first test plus visits: a passed one to B before its first run (B's first run is no rework),
    // a failed one (no Pareto entry) and one to a unit never provisioned here (no device).
    const withVisits = [...records, serviced('B', -30, 'passed'), serviced('A', 5, 'failed', 'configuration'), serviced('Z', 95, 'passed')];
    const k = kpis(withVisits);
    const plain = kpis(records);
    expect(k).toEqual(plain);
    expect(k).toMatchObject({ units: 7, passed: 4, failed: 3, devices: 6, firstPassUnits: 7, rework: { units: 0 } });
    expect(k.failuresByStep.map((f) => f.step)).toEqual(['diagnostics', 'identity']);
    expect(lineKpis(withVisits)).toEqual(lineKpis(records));
    expect(reworkRuns(withVisits).size).toBe(0);
    // Nothing but visits: no units at all.
    expect(kpis([serviced('Z', 0, 'passed')])).toMatchObject({ units: 0, devices: 0, perHour: [] });
  });

  it('units/hour only once it means something (5 units or 5 minutes), over the session’s elapsed time when given', () => {
    const four = [0, 0.1, 0.2, 0.3].map((m, i) => run(`U${i}`, 'p1', m, 5, 'passed'));
    expect(kpis(four).unitsPerHour).toBeUndefined();
    expect(kpis(four, { elapsedMs: 60_000 }).unitsPerHour).toBeUndefined();
    // Five units in a one-minute session: 300 an hour over the session, not thousands over 23 s of runs.
    const five = [...four, run('U4', 'p1', 0.3, 5, 'passed')];
    expect(kpis(five, { elapsedMs: 60_000 }).unitsPerHour).toBe(300);
    expect(kpis(four, { elapsedMs: 10 * 60_000 }).unitsPerHour).toBe(24);
    expect(lineKpis(five, { elapsedMs: 60_000 }).overall.unitsPerHour).toBe(300);
  });

  it('percentile is nearest-rank', () => {
    const oneToTwenty = Array.from({ length: 20 }, (_, i) => 20 - i);
    expect(percentile(oneToTwenty, 95)).toBe(19); // ⌈19⌉-th
    expect(percentile(oneToTwenty, 50)).toBe(10);
    expect(percentile([5], 95)).toBe(5);
    expect(percentile([], 95)).toBeUndefined();
  });
});
