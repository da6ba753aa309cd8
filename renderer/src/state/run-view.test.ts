import { describe, expect, it } from 'vitest';
import { RUN_A, RUN_B, runId, runRecord } from '../testing/samples';
import { applyRunEvents, MAX_LOG_LINES, MAX_RUNS, mergeLog, mergeRecord, type RunEvent, type RunsData } from './run-view';

const EMPTY: RunsData = { byId: {}, logs: {} };
const at = (s: number): string => `2026-01-01T10:00:${String(s).padStart(2, '0')}.000Z`;

const started = (runId: string, deviceId = 'serial:/dev/a'): RunEvent => ({
  name: 'run:started',
  payload: { runId, deviceId, profile: { name: 'gateway-eu', version: '1.0.0' }, startedAt: at(0) },
});
const step = (runId: string, name: 'identify' | 'firmware', state: 'running' | 'passed' | 'failed', extra: object = {}): RunEvent => ({
  name: 'run:step',
  payload: { runId, step: name, state, startedAt: at(1), ...(state !== 'running' ? { endedAt: at(2) } : {}), ...extra },
});
const progress = (runId: string, fraction: number, bytesPerSecond = 1000): RunEvent => ({
  name: 'run:progress',
  payload: { runId, step: 'firmware', op: 'image upload', done: fraction * 10_000, total: 10_000, bytesPerSecond, etaSeconds: null },
});
const log = (runId: string, message: string, s = 1): RunEvent => ({ name: 'run:log', payload: { runId, level: 'info', message, at: at(s) } });

describe('run events reducer', () => {
  it('follows a run from start through steps, progress, diagnostics to its outcome', () => {
    const data = applyRunEvents(EMPTY, [
      started(RUN_A),
      step(RUN_A, 'identify', 'running'),
      step(RUN_A, 'identify', 'passed'),
      step(RUN_A, 'firmware', 'running'),
      step(RUN_A, 'firmware', 'running', { message: 'waiting: reboot into the new image' }),
      progress(RUN_A, 0.25, 8000),
    ]);
    const run = data.byId[RUN_A];
    expect(run).toMatchObject({ deviceId: 'serial:/dev/a', outcome: 'running', currentStep: 'firmware', profile: { name: 'gateway-eu' } });
    expect(run?.steps.identify.state).toBe('passed');
    // The step's words come from its step event, the bar from the progress event: neither wipes the other.
    expect(run?.steps.firmware).toMatchObject({ state: 'running', fraction: 0.25, bytesPerSecond: 8000, message: 'waiting: reboot into the new image' });
    expect(run?.steps.identity.state).toBe('pending');

    const done = applyRunEvents(data, [
      step(RUN_A, 'firmware', 'passed'),
      { name: 'run:diagnostic', payload: { runId: RUN_A, result: { name: 'temp', type: 'shell', passed: false, value: 99, limits: { max: 80 }, durationMs: 3 } } },
      { name: 'run:finished', payload: { runId: RUN_A, deviceId: 'serial:/dev/a', outcome: 'failed', error: { code: 'DIAGNOSTICS_FAILED', message: 'Acceptance diagnostics failed' } } },
    ]);
    expect(done.byId[RUN_A]?.steps.firmware.fraction).toBe(1);
    expect(done.byId[RUN_A]?.diagnostics.map((d) => d.name)).toEqual(['temp']);
    expect(done.byId[RUN_A]).toMatchObject({ outcome: 'failed', error: { code: 'DIAGNOSTICS_FAILED' } });
  });

  it('gives new objects only to the runs a batch touched (their rows re-render, no others)', () => {
    const data = applyRunEvents(EMPTY, [started(RUN_A), started(RUN_B, 'serial:/dev/b')]);
    const next = applyRunEvents(data, [progress(RUN_A, 0.5)]);
    expect(next.byId[RUN_B]).toBe(data.byId[RUN_B]);
    expect(next.byId[RUN_A]).not.toBe(data.byId[RUN_A]);
    expect(next.byId[RUN_A]?.steps.identify).toBe(data.byId[RUN_A]?.steps.identify);
    expect(next.logs).toBe(data.logs);
    expect(applyRunEvents(data, [])).toBe(data);
  });

  it('treats progress of a step it never saw start as running (a window opened mid-run)', () => {
    const data = applyRunEvents(EMPTY, [progress(RUN_A, 0.9)]);
    expect(data.byId[RUN_A]?.steps.firmware.state).toBe('running');
    expect(data.byId[RUN_A]?.deviceId).toBe('');
  });

  it('keeps a bounded log per run and drops a line it already has', () => {
    const lines = Array.from({ length: MAX_LOG_LINES + 20 }, (_, i) => log(RUN_A, `line ${i}`));
    const data = applyRunEvents(EMPTY, lines);
    expect(data.logs[RUN_A]).toHaveLength(MAX_LOG_LINES);
    expect(data.logs[RUN_A]?.at(-1)?.message).toBe(`line ${MAX_LOG_LINES + 19}`);
    const again = applyRunEvents(data, [log(RUN_A, `line ${MAX_LOG_LINES + 19}`)]);
    expect(again.logs[RUN_A]).toHaveLength(MAX_LOG_LINES);
  });

  it('forgets the oldest finished runs beyond the limit, never a running one', () => {
    const events: RunEvent[] = [started(runId(0))];
    for (let i = 1; i <= MAX_RUNS + 5; i += 1) {
      events.push(started(runId(i)), { name: 'run:finished', payload: { runId: runId(i), deviceId: 'd', outcome: 'passed' } });
    }
    const data = applyRunEvents(EMPTY, events);
    expect(Object.keys(data.byId)).toHaveLength(MAX_RUNS);
    expect(data.byId[runId(0)]?.outcome).toBe('running');
    expect(data.byId[runId(1)]).toBeUndefined();
    expect(data.byId[runId(MAX_RUNS + 5)]).toBeDefined();
  });
});

describe('reading a run back', () => {
  it('takes steps, outcome, diagnostics and the error in the contract words from the record', () => {
    const record = runRecord(RUN_A, {
      outcome: 'failed',
      steps: [
        { name: 'identify', startedAt: at(1), endedAt: at(2), outcome: 'passed', evidence: {} },
        { name: 'firmware', startedAt: at(2), endedAt: at(3), outcome: 'failed', evidence: {}, error: { code: 'UPLOAD_STALLED', message: 'no progress for 10 s' } },
      ],
      error: { code: 'UPLOAD_STALLED', message: 'no progress for 10 s' },
    });
    const view = mergeRecord(undefined, record, 'serial:/dev/pts/1');
    expect(view.deviceId).toBe('serial:/dev/pts/1');
    expect(view.outcome).toBe('failed');
    expect(view.steps.firmware.state).toBe('failed');
    expect(view.steps.identity.state).toBe('pending');
    expect(view.error).toEqual({
      code: 'UPLOAD_STALLED',
      message: 'The upload stopped making progress: no progress for 10 s',
      hint: 'check the connection and start the upload again; it resumes where the device left off',
    });
  });

  it('keeps live progress of a running run the record has not caught up with', () => {
    const live = applyRunEvents(EMPTY, [started(RUN_A), step(RUN_A, 'identify', 'passed'), step(RUN_A, 'firmware', 'running'), progress(RUN_A, 0.4)]).byId[RUN_A];
    const record = runRecord(RUN_A, { outcome: 'running', endedAt: '', steps: [{ name: 'identify', startedAt: at(1), endedAt: at(2), outcome: 'passed', evidence: {} }] });
    const merged = mergeRecord(live, record);
    expect(merged.outcome).toBe('running');
    expect(merged.steps.firmware).toMatchObject({ state: 'running', fraction: 0.4 });
  });

  it('merges a fetched log with live lines that came after it, without doubles', () => {
    const fetched = [
      { at: at(1), level: 'info' as const, message: 'a' },
      { at: at(2), level: 'info' as const, message: 'b' },
    ];
    const live = [
      { at: at(2), level: 'info' as const, message: 'b' },
      { at: at(3), level: 'info' as const, message: 'c' },
    ];
    expect(mergeLog(fetched, live).map((l) => l.message)).toEqual(['a', 'b', 'c']);
    expect(mergeLog(fetched, undefined).map((l) => l.message)).toEqual(['a', 'b']);
  });
});
