/**
 * Runs: the live view of every run this window has heard of (fed by batched events), full records and logs read
 * back for the run view, how each run this window started was asked for (so Retry repeats it), and the history.
 * Components select one run by id, so a frame of progress events re-renders only the rows of the runs it moved.
 */
import { useStore } from 'zustand';
import { createStore } from 'zustand/vanilla';
import type { RunLogLine, RunRecord, RunSummary } from '../../../main/contract/api';
import type { CertificateStatus } from '../../../main/contract/certificate-status';
import { applyRunEvents, mergeLog, mergeRecord, newRunView, type RunEvent, type RunsData, type RunView } from './run-view';
import { NO_FILTER, type HistoryFilter } from './runs-filter';

/** What provision:start was given, so Retry can give it again. */
export interface RunRequest {
  readonly deviceId: string;
  readonly profilePath: string;
  readonly variables: Readonly<Record<string, string>>;
  readonly reprovision: boolean;
}

export interface RunsState extends RunsData {
  readonly records: Readonly<Record<string, RunRecord>>;
  /** Where each read-back run's certificate stands now (runs:certificate): revoked since the run is said. */
  readonly certificates: Readonly<Record<string, CertificateStatus>>;
  readonly requests: Readonly<Record<string, RunRequest>>;
  readonly history: readonly RunSummary[];
  readonly historyLoaded: boolean;
  /** What the history is filtered by (the Runs screen's filter bar). */
  readonly historyFilter: HistoryFilter;
  /** Runs whose cancel call is under way. */
  readonly cancelling: Readonly<Record<string, true>>;
  applyEvents(events: readonly RunEvent[]): void;
  setRecord(record: RunRecord, deviceId?: string): void;
  setCertificate(runId: string, status: CertificateStatus): void;
  setLog(runId: string, lines: readonly RunLogLine[]): void;
  started(runId: string, request: RunRequest): void;
  setHistory(history: readonly RunSummary[]): void;
  setHistoryFilter(filter: HistoryFilter): void;
  setCancelling(runId: string, on: boolean): void;
}

export function createRunsStore() {
  return createStore<RunsState>()((set) => ({
    byId: {},
    logs: {},
    records: {},
    certificates: {},
    requests: {},
    history: [],
    historyLoaded: false,
    historyFilter: NO_FILTER,
    cancelling: {},
    applyEvents: (events) =>
      set((s) => {
        const next = applyRunEvents(s, events);
        return next === s ? s : { byId: next.byId, logs: next.logs };
      }),
    setRecord: (record, deviceId) =>
      set((s) => ({
        records: { ...s.records, [record.id]: record },
        byId: { ...s.byId, [record.id]: mergeRecord(s.byId[record.id], record, deviceId ?? s.requests[record.id]?.deviceId) },
      })),
    setCertificate: (runId, status) => set((s) => ({ certificates: { ...s.certificates, [runId]: status } })),
    setLog: (runId, lines) => set((s) => ({ logs: { ...s.logs, [runId]: mergeLog(lines, s.logs[runId]) } })),
    started: (runId, request) =>
      set((s) => ({
        requests: { ...s.requests, [runId]: request },
        // The run:started event may still be in the frame's queue: the row can show the run already.
        byId: s.byId[runId] ? s.byId : { ...s.byId, [runId]: newRunView(runId, request.deviceId) },
      })),
    setHistory: (history) => set({ history, historyLoaded: true }),
    setHistoryFilter: (historyFilter) => set({ historyFilter }),
    setCancelling: (runId, on) =>
      set((s) => {
        const cancelling = { ...s.cancelling };
        if (on) cancelling[runId] = true;
        else delete cancelling[runId];
        return { cancelling };
      }),
  }));
}

export const runsStore = createRunsStore();

export function useRuns<T>(selector: (s: RunsState) => T): T {
  return useStore(runsStore, selector);
}

/** One run's live view: re-renders only when that run changes. */
export function useRun(runId: string | undefined): RunView | undefined {
  return useStore(runsStore, (s) => (runId ? s.byId[runId] : undefined));
}
