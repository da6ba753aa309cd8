/**
 * Files a failed run left on a device: its rollback could not remove them (no file-system shell) and recorded them
 * as `leftOnDevice`. After such a run the golden content sits on the device, so a comparison with the profile would
 * call the file the same; drift asks here instead. Only runs after the device's last passed run count: a passed
 * run since then put the file there on purpose.
 */
import type { Store } from '../store/types';

/** Path → id of the newest failed run that left it, for the runs after the device's last passed run. */
export function filesLeftByFailedRuns(store: Store, serial: string): Map<string, string> {
  const left = new Map<string, string>();
  for (const run of store.listRuns({ serial })) {
    if (run.outcome === 'passed') break;
    for (const action of store.getRun(run.id)?.rollback?.actions ?? []) {
      if (action.leftOnDevice && action.target && !left.has(action.target)) left.set(action.target, run.id);
    }
  }
  return left;
}
