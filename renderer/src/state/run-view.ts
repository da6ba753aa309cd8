/**
 * What the UI shows of one run, and how run events change it — pure functions, no store, so the reducer is tested
 * as plain data. A batch of events (one animation frame's worth) is applied in one pass: the map of runs is copied
 * once per batch, and only the runs an event touches get new objects, so only their rows re-render.
 */
import type { DiagnosticResult, ErrorInfo, EventPayload, RunLogLine, RunOutcome, RunRecord, StepName, StepState } from '../../../main/contract/api';
import { describeError, isErrorCode } from '../../../main/contract/errors';
import { progressFraction } from '../../../main/contract/progress';
import { STEP_ORDER } from '../../../main/contract/run-record';

export type StepViewState = 'pending' | StepState;

export interface StepView {
  readonly name: StepName;
  readonly state: StepViewState;
  readonly startedAt?: string;
  readonly endedAt?: string;
  /** 0..1 while the step knows how far it is (an upload). */
  readonly fraction?: number;
  readonly bytesPerSecond?: number;
  /** What the running step said it is doing ("waiting: reboot into the new image"). */
  readonly message?: string;
  readonly error?: { readonly code: string; readonly message: string };
}

export interface RunView {
  readonly runId: string;
  /** Empty when this window has not seen which device the run is on. */
  readonly deviceId: string;
  readonly profile?: { readonly name: string; readonly version: string };
  readonly startedAt?: string;
  readonly outcome: RunOutcome;
  readonly steps: Readonly<Record<StepName, StepView>>;
  /** The step under way, or the last one that moved. */
  readonly currentStep?: StepName;
  readonly diagnostics: readonly DiagnosticResult[];
  readonly error?: ErrorInfo;
}

export type RunEventName = 'run:started' | 'run:step' | 'run:progress' | 'run:log' | 'run:diagnostic' | 'run:finished';
export type RunEvent = { [E in RunEventName]: { readonly name: E; readonly payload: EventPayload<E> } }[RunEventName];

export interface RunsData {
  readonly byId: Readonly<Record<string, RunView>>;
  readonly logs: Readonly<Record<string, readonly RunLogLine[]>>;
}

/** Log lines kept per run, runs kept, and runs whose log is kept (oldest finished go first). */
export const MAX_LOG_LINES = 500;
export const MAX_RUNS = 1000;
export const MAX_LOGGED_RUNS = 300;

export function emptySteps(): Record<StepName, StepView> {
  const steps = {} as Record<StepName, StepView>;
  for (const name of STEP_ORDER) steps[name] = { name, state: 'pending' };
  return steps;
}

export function newRunView(runId: string, deviceId = ''): RunView {
  return { runId, deviceId, outcome: 'running', steps: emptySteps(), diagnostics: [] };
}

export function errorInfoOf(error: { code: string; message: string }): ErrorInfo {
  return isErrorCode(error.code) ? describeError(error.code, error.message) : describeError('INTERNAL', error.message);
}

type StepChange = { -readonly [K in keyof StepView]?: StepView[K] };

function withStep(view: RunView, name: StepName, change: StepChange): RunView {
  return { ...view, steps: { ...view.steps, [name]: { ...view.steps[name], ...change } } };
}

function applyOne(view: RunView | undefined, event: RunEvent): RunView {
  const runId = event.payload.runId;
  const current = view ?? newRunView(runId);
  switch (event.name) {
    case 'run:started': {
      const p = event.payload;
      return { ...current, deviceId: p.deviceId, profile: p.profile, startedAt: p.startedAt };
    }
    case 'run:step': {
      const p = event.payload;
      const before = current.steps[p.step];
      const change: StepChange = { state: p.state, startedAt: p.startedAt, endedAt: p.endedAt, error: p.error };
      if (p.state === 'running' && before.state !== 'running') Object.assign(change, { fraction: undefined, bytesPerSecond: undefined, message: undefined });
      if (p.message !== undefined) change.message = p.message;
      if (p.state === 'passed' && before.fraction !== undefined) change.fraction = 1;
      return { ...withStep(current, p.step, change), currentStep: p.step };
    }
    case 'run:progress': {
      const p = event.payload;
      const before = current.steps[p.step];
      // A window opened mid-step sees progress before the step's start: it is running.
      const state = before.state === 'pending' ? 'running' : before.state;
      const change: StepChange = { state, fraction: progressFraction(p), bytesPerSecond: p.bytesPerSecond };
      return { ...withStep(current, p.step, change), currentStep: p.step };
    }
    case 'run:diagnostic': {
      const result = event.payload.result;
      return { ...current, diagnostics: [...current.diagnostics.filter((d) => d.name !== result.name), result] };
    }
    case 'run:finished': {
      const p = event.payload;
      return { ...current, deviceId: p.deviceId, outcome: p.outcome, ...(p.error ? { error: p.error } : {}) };
    }
    case 'run:log':
      return current;
  }
}

const lineKey = (line: RunLogLine): string => `${line.at}\u0000${line.level}\u0000${line.message}`;

/** Appends `line` unless the tail already holds it (a log fetched with runs:log overlaps the live events). */
export function appendLine(lines: RunLogLine[], line: RunLogLine): void {
  const key = lineKey(line);
  for (let i = lines.length - 1; i >= Math.max(0, lines.length - 50); i -= 1) {
    const existing = lines[i];
    if (existing && lineKey(existing) === key) return;
  }
  lines.push(line);
  if (lines.length > MAX_LOG_LINES) lines.splice(0, lines.length - MAX_LOG_LINES);
}

/** Drops the oldest finished runs (and logs) beyond the limits; running ones are kept whatever the count. */
function prune<T>(map: Record<string, T>, max: number, finished: (id: string) => boolean): void {
  let excess = Object.keys(map).length - max;
  if (excess <= 0) return;
  for (const id of Object.keys(map)) {
    if (excess <= 0) break;
    if (finished(id)) {
      delete map[id];
      excess -= 1;
    }
  }
}

export function applyRunEvents(data: RunsData, events: readonly RunEvent[]): RunsData {
  if (events.length === 0) return data;
  const byId: Record<string, RunView> = { ...data.byId };
  const logDrafts = new Map<string, RunLogLine[]>();
  for (const event of events) {
    const runId = event.payload.runId;
    if (event.name === 'run:log') {
      let lines = logDrafts.get(runId);
      if (!lines) logDrafts.set(runId, (lines = [...(data.logs[runId] ?? [])]));
      const { level, message, at } = event.payload;
      appendLine(lines, { level, message, at });
      if (!byId[runId]) byId[runId] = newRunView(runId);
      continue;
    }
    byId[runId] = applyOne(byId[runId], event);
  }
  const finished = (id: string): boolean => byId[id]?.outcome !== 'running';
  prune(byId, MAX_RUNS, finished);
  let logs = data.logs;
  if (logDrafts.size > 0) {
    const next: Record<string, readonly RunLogLine[]> = { ...data.logs };
    for (const [runId, lines] of logDrafts) next[runId] = lines;
    prune(next, MAX_LOGGED_RUNS, (id) => !byId[id] || finished(id));
    logs = next;
  }
  return { byId, logs };
}

/** The view of a run read back with runs:get. The record is authoritative for what it holds. */
export function mergeRecord(view: RunView | undefined, record: RunRecord, deviceId?: string): RunView {
  let next = view ?? newRunView(record.id, deviceId ?? '');
  if (!next.deviceId && deviceId) next = { ...next, deviceId };
  const steps = { ...next.steps };
  for (const step of record.steps) {
    steps[step.name] = {
      ...steps[step.name],
      state: step.outcome,
      startedAt: step.startedAt,
      endedAt: step.endedAt,
      error: step.error,
      ...(step.outcome === 'passed' && steps[step.name].fraction !== undefined ? { fraction: 1 } : {}),
    };
  }
  const finished = record.outcome !== 'running';
  const error = next.error ?? (record.error && record.outcome !== 'passed' ? errorInfoOf(record.error) : undefined);
  return {
    ...next,
    profile: next.profile ?? { name: record.profile.name, version: record.profile.version },
    startedAt: next.startedAt ?? record.startedAt,
    steps,
    outcome: finished ? record.outcome : next.outcome,
    diagnostics: record.diagnostics.length >= next.diagnostics.length ? record.diagnostics : next.diagnostics,
    ...(error ? { error } : {}),
  };
}

/** Lines fetched with runs:log, followed by any live line that came after them. */
export function mergeLog(fetched: readonly RunLogLine[], live: readonly RunLogLine[] | undefined): RunLogLine[] {
  const lines = fetched.slice(-MAX_LOG_LINES);
  const last = lines[lines.length - 1]?.at ?? '';
  for (const line of live ?? []) if (line.at >= last) appendLine(lines, line);
  return lines;
}
