/** Runs: read one back for the run view, cancel, retry, and the history list (filtered, exported as CSV). */
import { runsCsv } from '../../../main/contract/runs-filter';
import { devicesStore } from '../state/devices';
import { profilesStore, variablesFor } from '../state/profiles';
import { runsStore, type RunRequest } from '../state/runs';
import { csvFileName, filterArgs, type HistoryFilter } from '../state/runs-filter';
import { api } from './api';
import { call, callInPlace } from './call';
import { saveFile } from './save-file';
import { startRun } from './devices';

export const shortId = (runId: string): string => runId.slice(0, 8);

/** Reads the run record and its log (a run this window did not follow, or one that just finished). */
export async function openRun(runId: string): Promise<void> {
  const context = `Open run ${shortId(runId)}`;
  const [record, log] = await Promise.all([call(context, api().invoke['runs:get']({ runId })), api().invoke['runs:log']({ runId })]);
  if (record.ok) {
    const port = record.value.device.port;
    const device = Object.values(devicesStore.getState().byId).find((d) => d.path === port);
    runsStore.getState().setRecord(record.value, device?.id);
    if (record.value.certificate && record.value.outcome !== 'running') await readCertificate(runId);
  }
  // No log is not worth an alert when the record came: the store keeps records, not logs.
  if (log.ok) runsStore.getState().setLog(runId, log.value.lines);
}

/**
 * Where the run's certificate stands now (revoked since, with when and why). Without an answer the view shows what
 * the record says: not worth an alert of its own.
 */
async function readCertificate(runId: string): Promise<void> {
  const status = await callInPlace(api().invoke['runs:certificate']({ runId }));
  if (status.ok) runsStore.getState().setCertificate(runId, status.value);
}

export async function cancelRun(runId: string): Promise<void> {
  const runs = runsStore.getState();
  if (runs.cancelling[runId]) return;
  runs.setCancelling(runId, true);
  try {
    await call(`Cancel run ${shortId(runId)}`, api().invoke['provision:cancel']({ runId }));
  } finally {
    runsStore.getState().setCancelling(runId, false);
  }
}

/** The request behind a run: as this window sent it, else its device with the current batch choice. */
export function retryRequest(runId: string): RunRequest | undefined {
  const runs = runsStore.getState();
  const known = runs.requests[runId];
  if (known) return known;
  const deviceId = runs.byId[runId]?.deviceId;
  const { choice } = profilesStore.getState();
  if (!deviceId || !choice.profilePath) return undefined;
  return { deviceId, profilePath: choice.profilePath, variables: variablesFor(choice, choice.profilePath), reprovision: choice.reprovision };
}

/** Starts the run again on the same device; the new run's id. */
export async function retryRun(runId: string): Promise<string | undefined> {
  const request = retryRequest(runId);
  if (!request) return undefined;
  return startRun(request, `Retry run ${shortId(runId)}`);
}

/** The history as the filter bar says (newest first, bounded: HISTORY_LIMIT). */
export async function loadHistory(): Promise<void> {
  const result = await call('List the runs', api().invoke['runs:list'](filterArgs(runsStore.getState().historyFilter)));
  if (result.ok) runsStore.getState().setHistory(result.value);
}

export function filterHistory(filter: HistoryFilter): Promise<void> {
  runsStore.getState().setHistoryFilter(filter);
  return loadHistory();
}

/** The runs listed now (the filter's), as a CSV file the browser saves: the same columns as `fieldline runs list --csv`. */
export function exportHistoryCsv(save: (name: string, text: string) => void = saveTextFile, now: () => Date = () => new Date()): number {
  const { history, historyFilter } = runsStore.getState();
  save(csvFileName(historyFilter, now().toISOString().slice(0, 10)), runsCsv(history));
  return history.length;
}

function saveTextFile(name: string, text: string): void {
  saveFile(name, new Blob([text], { type: 'text/csv;charset=utf-8' }));
}
