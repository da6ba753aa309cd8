/**
 * The line's part of the contract: what the renderer may send (bounded, strict), and that the largest answer the
 * Node side may give — every list at its maximum — still fits one WebSocket message.
 */
import { describe, expect, it } from 'vitest';
import { events, methods, type MethodName } from './api';
import { LINE_LIMITS, LineStateSchema, type LineState, type SlotInfo, type SpcChartInfo } from './line';
import { WS_MAX_MESSAGE_BYTES } from './ws-protocol';

const parse = (name: MethodName, args: unknown[]): boolean => methods[name].args.safeParse(args).success;
const uuid = '6f1c2a3b-4d5e-4f60-8a1b-2c3d4e5f6a7b';

describe('line methods', () => {
  it('starts with a profile, variables, a bounded concurrency and nothing else', () => {
    const start = (extra: Record<string, unknown>): boolean => parse('line:start', [{ profilePath: '/p/a.yaml', variables: {}, ...extra }]);
    expect(start({})).toBe(true);
    expect(start({ concurrency: 64, requireScan: true, variables: { site: 'MUC-3' } })).toBe(true);
    expect(start({ concurrency: 0 })).toBe(false);
    expect(start({ concurrency: 65 })).toBe(false);
    expect(start({ concurrency: 1.5 })).toBe(false);
    expect(start({ ports: 'auto' })).toBe(false);
    expect(start({ variables: { 'bad name': 'x' } })).toBe(false);
    expect(parse('line:stop', [])).toBe(true);
    expect(parse('line:stop', [{}])).toBe(false);
  });

  it('takes a scan of at most 512 characters, for the next slot or a named one', () => {
    expect(parse('line:scan', [{ text: 'F1E1D00000000101' }])).toBe(true);
    expect(parse('line:scan', [{ text: 'site=MUC-3', slot: '/dev/ttyACM3' }])).toBe(true);
    expect(parse('line:scan', [{ text: '' }])).toBe(false);
    expect(parse('line:scan', [{ text: 'x'.repeat(LINE_LIMITS.scanChars + 1) }])).toBe(false);
    expect(parse('line:scan', [{ text: 'x', slot: '' }])).toBe(false);
    expect(parse('line:scan', [{ text: 'x', slot: '/dev/tty\u0000' }])).toBe(false);
  });

  it('prints a run’s label, to a printer address of a plain shape only', () => {
    const print = (printer?: string): boolean => parse('runs:print-label', [{ runId: uuid, ...(printer !== undefined ? { printer } : {}) }]);
    expect(print()).toBe(true);
    for (const ok of ['printer', 'printer.local:9100', '10.0.0.9', '[fe80::1]:9100', 'zebra-3.line.example']) expect(print(ok), ok).toBe(true);
    for (const bad of ['', 'host:port', 'a b', 'http://x', 'x:123456', '-x', 'x\n:9100']) expect(print(bad), bad).toBe(false);
    expect(parse('runs:print-label', [{ runId: 'nope' }])).toBe(false);
    expect(parse('settings:set-printer', [{ printer: '' }])).toBe(true);
    expect(parse('settings:set-printer', [{ printer: 'zebra:9100' }])).toBe(true);
    expect(parse('settings:set-printer', [{}])).toBe(false);
  });
});

describe('line answers and events', () => {
  it('the largest state the Node side may send fits one WebSocket message', () => {
    const path = '/dev/serial/by-path/' + 'p'.repeat(200);
    const slot = (i: number): SlotInfo => ({
      port: `${path}-${i}`,
      state: 'failed',
      source: 'usb',
      serialNumber: 'S'.repeat(64),
      runId: uuid,
      deviceId: `serial:${path}-${i}`,
      serial: 'F1E1D00000000101',
      outcome: 'failed',
      failedStep: 'diagnostics',
      error: { code: 'DIAGNOSTICS_FAILED', message: 'm'.repeat(300) },
      startedAt: '2026-01-01T10:00:00.000Z',
      endedAt: '2026-01-01T10:01:00.000Z',
      bindings: { serial: 'F1E1D00000000101', variables: { site: 'MUC-3' } },
    });
    const kpi = { units: 99999, passed: 99998, failed: 1, devices: 99999, unitsPerHour: 123.456, firstPassYield: 0.99, finalYield: 0.99, runYield: 0.99, failuresByStep: [], cycleTimeMeanMs: 61234.5, cycleTimeP95Ms: 99999.5 };
    const chart = (i: number): SpcChartInfo => ({
      name: `diagnostic-${i}`,
      unit: 'ms',
      n: 100000,
      omitted: 100000 - LINE_LIMITS.spcPoints,
      points: Array.from({ length: LINE_LIMITS.spcPoints }, (_, k) => ({ run: uuid, serial: 'F1E1D00000000101', at: '2026-01-01T10:00:00.000Z', value: 1234.56789 + k, passed: true, outlier: k % 50 === 0 })),
      mean: 1234.5,
      stdDev: 1.25,
      sigma: 1.2,
      ucl: 1238.1,
      lcl: 1230.9,
      outliers: 10,
      shifts: [],
    });
    const state: LineState = {
      running: true,
      stopping: false,
      concurrency: 64,
      requireScan: true,
      variables: { site: 'MUC-3' },
      pendingScans: Array.from({ length: LINE_LIMITS.pendingScans }, () => ({ slot: path, binding: { kind: 'serial' as const, value: 'S'.repeat(128) }, at: '2026-01-01T10:00:00.000Z' })),
      slots: Array.from({ length: 64 }, (_, i) => slot(i)),
      kpis: {
        at: '2026-01-01T10:00:00.000Z',
        session: kpi,
        bySlot: Object.fromEntries(Array.from({ length: 64 }, (_, i) => [`${path}-${i}`, kpi])),
        today: kpi,
        spc: Array.from({ length: 8 }, (_, i) => chart(i)),
      },
    };
    expect(LineStateSchema.safeParse(state).success).toBe(true);
    const bytes = Buffer.byteLength(JSON.stringify({ type: 'result', id: 1, result: { ok: true, value: state } }));
    // A 64-port line with 8 measured diagnostics: well inside the limit (and far from it, so a busy line has room).
    expect(bytes).toBeLessThan(WS_MAX_MESSAGE_BYTES / 2);
  });

  it('a slot says it waits for its label scan, or passed earlier, and the renderer gets both', () => {
    const waiting = events['line:slot'].safeParse({ port: '/p/GW1', state: 'provisioning', queued: true, awaitingScan: true, serialNumber: 'GW1' });
    expect(waiting.success && waiting.data).toMatchObject({ queued: true, awaitingScan: true });
    const earlier = events['line:slot'].safeParse({ port: '/p/GW2', state: 'passed', previous: true, runId: uuid, serial: 'GW2', outcome: 'passed' });
    expect(earlier.success && earlier.data).toMatchObject({ previous: true, runId: uuid });
    expect(events['line:slot'].safeParse({ port: '/p', state: 'provisioning', awaitingScan: 'yes' }).success).toBe(false);
    expect(events['line:slot'].safeParse({ port: '/p', state: 'passed', previous: 1 }).success).toBe(false);
    expect(parse('line:start', [{ profilePath: '/p/a.yaml', variables: {}, reprovision: true }])).toBe(true);
    expect(parse('line:start', [{ profilePath: '/p/a.yaml', variables: {}, reprovision: 'yes' }])).toBe(false);
    expect(events['line:status'].safeParse({ running: true, stopping: false, concurrency: 8, requireScan: false, reprovision: true, variables: {}, pendingScans: [] }).success).toBe(true);
  });

  it('refuses an unknown slot state and an unbounded chart', () => {
    expect(events['line:slot'].safeParse({ port: '/p', state: 'exploded' }).success).toBe(false);
    expect(events['line:slot'].safeParse({ port: '/p', state: 'remove-me' }).success).toBe(true);
    const points = Array.from({ length: LINE_LIMITS.spcPoints + 1 }, () => ({ run: uuid, serial: 's', at: 't', value: 1, passed: true, outlier: false }));
    const kpi = { units: 0, passed: 0, failed: 0, devices: 0, failuresByStep: [] };
    const kpis = { at: 't', session: kpi, bySlot: {}, today: kpi, spc: [{ name: 'x', n: points.length, omitted: 0, points, mean: 1, outliers: 0, shifts: [] }] };
    expect(events['line:kpis'].safeParse(kpis).success).toBe(false);
  });
});
