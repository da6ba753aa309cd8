/**
 * How far a run is, as one 0..1 figure for a bar in a list (the Devices screen, the operator view): each of the six
 * pipeline steps is an equal share — a step that ended (passed, failed, skipped) counts whole, the running one by
 * its own fraction when it knows one (an upload), else half. Step durations differ a lot (a firmware upload against
 * a finalize), so this is a sense of progress, not an estimate of time left; a finished run is 1.
 */
import { STEP_ORDER } from '../../../main/contract/run-record';
import type { RunView } from './run-view';

export function runFraction(view: Pick<RunView, 'outcome' | 'steps'>): number {
  if (view.outcome !== 'running') return 1;
  let done = 0;
  for (const name of STEP_ORDER) {
    const step = view.steps[name];
    if (step.state === 'pending') continue;
    done += step.state === 'running' ? Math.min(Math.max(step.fraction ?? 0.5, 0), 1) : 1;
  }
  return done / STEP_ORDER.length;
}
