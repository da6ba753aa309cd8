/**
 * The line: read its state, start and stop it, send scans (from the scanner's key bursts or the scan field) to the
 * chosen slot or the next one, and print a run's label. A refused scan is shown on the Station screen in the
 * contract's words as well as in the alert region, since the technician's eyes are on the scanner, not the top.
 */
import { describeError } from '../../../main/contract/errors';
import { alertsStore } from '../state/alerts';
import { lineStore } from '../state/line';
import { profilesStore, variablesFor } from '../state/profiles';
import { api } from './api';
import { call } from './call';

export async function loadLine(): Promise<void> {
  const result = await call('Read the line', api().invoke['line:state']());
  if (result.ok) lineStore.getState().setLine(result.value);
}

/** The profile Start line uses: the one chosen on the Station screen, else the batch profile. */
export function lineProfilePath(): string | undefined {
  return lineStore.getState().choice.profilePath ?? profilesStore.getState().choice.profilePath;
}

export async function startLine(): Promise<boolean> {
  const line = lineStore.getState();
  if (line.starting || line.stopping) return false;
  const profilePath = lineProfilePath();
  const context = 'Start the line';
  if (!profilePath) {
    alertsStore.getState().push(context, describeError('PROFILE_NOT_FOUND'));
    return false;
  }
  line.setStarting(true);
  try {
    const { concurrency, requireScan, ble, rework } = line.choice;
    const variables = variablesFor(profilesStore.getState().choice, profilePath);
    const result = await call(
      context,
      api().invoke['line:start']({ profilePath, concurrency, variables, ...(requireScan ? { requireScan } : {}), ...(ble ? { ble } : {}), ...(rework ? { rework } : {}) }),
    );
    if (result.ok) lineStore.getState().setLine(result.value);
    return result.ok;
  } finally {
    lineStore.getState().setStarting(false);
  }
}

export async function stopLine(): Promise<boolean> {
  const line = lineStore.getState();
  if (line.stopping) return false;
  line.setStopping(true);
  try {
    const result = await call('Stop the line', api().invoke['line:stop']());
    if (result.ok) lineStore.getState().setLine(result.value);
    return result.ok;
  } finally {
    lineStore.getState().setStopping(false);
  }
}

/** One scan, to the chosen slot (which is then released) or to the next gateway. */
export async function sendScan(raw: string, at: () => Date = () => new Date()): Promise<boolean> {
  const text = raw.trim();
  if (text === '') return false;
  const line = lineStore.getState();
  const slot = line.target;
  line.setScanning(true);
  try {
    const result = await call('Scan', api().invoke['line:scan']({ text, ...(slot !== undefined ? { slot } : {}) }));
    const stamp = at().toISOString();
    if (result.ok) {
      lineStore.getState().scanned({ text, at: stamp, slot: result.value.slot, binding: result.value.binding });
      // The choice served its scan: the next one goes to the next gateway unless a card is clicked again.
      if (slot !== undefined && lineStore.getState().target === slot) lineStore.getState().toggleTarget(undefined);
    } else lineStore.getState().scanned({ text, at: stamp, error: result.error });
    return result.ok;
  } finally {
    lineStore.getState().setScanning(false);
  }
}

/** Print (or reprint) a passed run's label: to the configured printer, else a file on the station. */
export async function printLabel(runId: string): Promise<boolean> {
  const line = lineStore.getState();
  if (line.printing[runId]) return false;
  line.setPrinting(runId, true);
  try {
    const result = await call(`Print the label of run ${runId.slice(0, 8)}`, api().invoke['runs:print-label']({ runId }));
    if (result.ok) lineStore.getState().printed(result.value);
    return result.ok;
  } finally {
    lineStore.getState().setPrinting(runId, false);
  }
}

/** The operator's Stop, Start or Retry on one slot; the slot's own event shows what followed. */
export async function slotAction(port: string, action: 'stop' | 'start' | 'retry', label: string): Promise<boolean> {
  const context = `${action === 'stop' ? 'Stop' : action === 'start' ? 'Start' : 'Retry'} ${label}`;
  const result = await call(context, action === 'stop' ? api().invoke['line:slot-stop']({ port }) : api().invoke['line:slot-start']({ port }));
  if (result.ok) lineStore.getState().setLine(result.value);
  return result.ok;
}
