/** Runs the environment doctor: at start (for the banner), on entering the Doctor screen, and on Run again. */
import { doctorStore } from '../state/doctor';
import { api } from './api';
import { call, callInPlace } from './call';

/**
 * `quiet` (the run at start): a failed call is not put in the alerts — the start-up banner speaks of this machine's
 * checks, and a station that cannot answer the doctor yet (an older main process) is no reason to alarm anyone.
 */
export async function runDoctor(options: { quiet?: boolean } = {}): Promise<void> {
  const store = doctorStore.getState();
  if (store.running) return;
  store.setRunning(true);
  try {
    const pending = api().invoke['doctor:run']();
    const result = await (options.quiet ? callInPlace(pending) : call('Checking this machine (doctor)', pending));
    if (result.ok) doctorStore.getState().setReport(result.value);
  } finally {
    doctorStore.getState().setRunning(false);
  }
}
