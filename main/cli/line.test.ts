/** `fieldline line kpis|spc` as a user runs them: child processes on a data directory with a known day of runs. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunRecord, StepName } from '../contract/run-record';
import { STEP_ORDER } from '../contract/run-record';
import { withStoreOf } from '../testing/core-store';
import { sampleRunRecord } from '../testing/run-records';
import { runFieldline, type CliRun } from '../testing/cli';

let dir: string;
const fieldline = (args: string[]): Promise<CliRun> => runFieldline([...args, '--data-dir', dir], {}, 60_000);
const json = (run: CliRun): Record<string, unknown> => {
  expect(run.code, run.stderr).toBe(0);
  return JSON.parse(run.stdout) as Record<string, unknown>;
};

/** Temperatures of 20 units: steady around 25 °C, unit 13 at 27.9 — inside the profile's −20…70, outside 3σ̂. */
const TEMPS = [25.1, 24.9, 25.0, 25.2, 24.8, 25.1, 25.0, 24.9, 25.1, 25.0, 24.9, 25.2, 27.9, 25.0, 24.9, 25.1, 25.0, 24.8, 25.1, 25.0];

function run(i: number): RunRecord {
  const start = Date.parse('2026-11-26T06:00:00.000Z') + i * 6 * 60_000; // one unit every 6 minutes
  const failAt: StepName | undefined = i === 4 || i === 9 ? 'diagnostics' : i === 15 ? 'identity' : undefined;
  const r = sampleRunRecord({ id: `run-${String(i).padStart(2, '0')}`, serial: `GW-${i}`, startedAt: new Date(start).toISOString(), outcome: failAt ? 'failed' : 'passed' });
  r.device.port = i % 2 === 0 ? '/dev/ttyACM0' : '/dev/ttyACM1';
  r.station.name = i < 16 ? 'line-3' : 'line-4';
  r.endedAt = new Date(start + (60 + i) * 1000).toISOString();
  const failIndex = failAt ? STEP_ORDER.indexOf(failAt) : -1;
  r.steps = r.steps.map((s, k) => ({ ...s, outcome: failIndex < 0 || k < failIndex ? 'passed' : k === failIndex ? 'failed' : 'skipped' }));
  r.diagnostics = [
    { name: 'temperature', type: 'shell-number', passed: true, value: TEMPS[i]!, limits: { min: -20, max: 70 }, unit: 'C', durationMs: 20 },
    { name: 'selftest', type: 'shell-match', passed: true, value: 'PASS', limits: { pattern: 'PASS' }, durationMs: 5 },
  ];
  return r;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fieldline-line-cli-'));
  await withStoreOf(dir, (store) => {
    for (let i = 0; i < 20; i += 1) store.saveRun(run(i));
  });
});

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('fieldline line', () => {
  it('kpis --json: the line, per slot and per station, computed from the store’s records', async () => {
    const k = json(await fieldline(['line', 'kpis', '--json'])) as {
      slotBy: string;
      overall: { units: number; passed: number; firstPassYield: number; failuresByStep: Array<{ step: string; count: number }>; unitsPerHour: number };
      bySlot: Record<string, { units: number }>;
      byStation: Record<string, { units: number; passed: number }>;
    };
    expect(k.slotBy).toBe('port');
    expect(k.overall).toMatchObject({ units: 20, passed: 17, firstPassYield: 17 / 20 });
    expect(k.overall.failuresByStep).toEqual([
      expect.objectContaining({ step: 'diagnostics', count: 2 }),
      expect.objectContaining({ step: 'identity', count: 1 }),
    ]);
    // 20 units from 06:00:00 to the end of the last (19 × 6 min + 79 s).
    expect(k.overall.unitsPerHour).toBeCloseTo(20 / ((19 * 360 + 79) / 3600), 6);
    expect(Object.keys(k.bySlot)).toEqual(['/dev/ttyACM0', '/dev/ttyACM1']);
    expect(k.bySlot['/dev/ttyACM0']!.units).toBe(10);
    expect(k.byStation).toMatchObject({ 'line-3': { units: 16, passed: 13 }, 'line-4': { units: 4, passed: 4 } });
  });

  it('kpis filters: --since (time or duration), --station, --profile; --slot-by station keeps stations’ ports apart', async () => {
    const since = json(await fieldline(['line', 'kpis', '--since', '2026-11-26T07:00:00Z', '--json'])) as { filter: { since: string }; overall: { units: number } };
    // Units ending at or after 07:00: i ≥ 10 (i = 9 ends 06:55:09).
    expect(since).toMatchObject({ filter: { since: '2026-11-26T07:00:00.000Z' }, overall: { units: 10 } });
    const station = json(await fieldline(['line', 'kpis', '--station', 'line-4', '--slot-by', 'station', '--json'])) as { bySlot: Record<string, unknown>; overall: { units: number } };
    expect(station.overall.units).toBe(4);
    expect(Object.keys(station.bySlot)).toEqual(['line-4:/dev/ttyACM0', 'line-4:/dev/ttyACM1']);
    const none = json(await fieldline(['line', 'kpis', '--profile', 'another-profile', '--since', '1h', '--json'])) as { overall: { units: number } };
    expect(none.overall.units).toBe(0);
  });

  it('kpis as text: headline figures, the Pareto table, per-slot and per-station tables', async () => {
    const run = await fieldline(['line', 'kpis']);
    expect(run.code, run.stderr).toBe(0);
    const text = run.stdout;
    expect(text).toMatch(/^Line KPIs\n20 runs \(17 passed, 3 not\), 20 devices/);
    expect(text).toMatch(/first-pass yield 85\.0 %/);
    expect(text).toMatch(/Failures by step \(Pareto\)\n\s+step\s+count\s+share\s+cumulative\n\s+diagnostics\s+2\s+66\.7 %\s+66\.7 %\s+█+\n\s+identity\s+1\s+33\.3 %\s+100\.0 %/);
    expect(text).toMatch(/Per slot \(by port\)\n.*units.*\n\s+\/dev\/ttyACM0\s+10\s+/);
    expect(text).toMatch(/Per station\n.*\n\s+line-3\s+16\s+13\s+81\.3 %/);
  });

  it('spc --json and as text: per-check limits, and the unit inside its limits but outside the control limits', async () => {
    const s = json(await fieldline(['line', 'spc', '--json'])) as {
      runs: number;
      charts: Array<{ name: string; n: number; mean: number; ucl: number; lcl: number; outliers: Array<{ serial: string; value: number }> }>;
    };
    expect(s.runs).toBe(20);
    expect(s.charts.map((c) => c.name)).toEqual(['temperature']);
    const t = s.charts[0]!;
    expect(t.n).toBe(20);
    expect(t.mean).toBeCloseTo(TEMPS.reduce((a, b) => a + b, 0) / 20, 9);
    expect(t.ucl).toBeLessThan(27.9);
    expect(t.outliers).toEqual([expect.objectContaining({ serial: 'GW-12', value: 27.9 })]);

    const text = await fieldline(['line', 'spc', '--station', 'line-3']);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/^SPC over 16 runs \(station line-3\)/);
    expect(text.stdout).toMatch(/\n\s+temperature \(C\)\s+16\s+25\.\d{3}\s/);
    expect(text.stdout).toMatch(/! temperature: GW-12 = 27\.9 C \(run run-12, 2026-11-26T07:12:00\.000Z\) passed its limits but is above UCL/);
  });

  it('refuses a bad --since or --slot-by in words', async () => {
    const since = await fieldline(['line', 'kpis', '--since', 'yesterday', '--json']);
    expect(since.code).not.toBe(0);
    expect(JSON.parse(since.stdout)).toMatchObject({ error: { code: 'INVALID_ARGUMENT', message: expect.stringMatching(/--since takes an ISO time/) } });
    const by = await fieldline(['line', 'kpis', '--slot-by', 'hub']);
    expect(by.code).not.toBe(0);
    expect(by.stderr).toMatch(/--slot-by takes port or station, not "hub"/);
  });
});
