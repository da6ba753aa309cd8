/**
 * Turns a transfer's per-chunk acknowledgements into the one progress event (main/contract/progress.ts), throttled
 * here at the source: a pipelined upload acknowledges hundreds of chunks a second, and every reader — a terminal
 * bar, a `--json` line, a WebSocket to a renderer — needs a few updates a second and the last one.
 */
import type { Clock } from '../contract/clock';
import type { Progress } from '../contract/progress';

/** At most this many events per second, plus the final one. */
export const PROGRESS_PER_SECOND = 10;

export interface ProgressMeterOptions {
  clock: Pick<Clock, 'monotonicMs'>;
  emit: (progress: Progress) => void;
  /** Default PROGRESS_PER_SECOND. */
  perSecond?: number;
}

/** Returns the function to call on every acknowledgement; it emits when due, and always when done reaches total. */
export function createProgressMeter(op: string, options: ProgressMeterOptions): (done: number, total: number) => void {
  const gapMs = 1000 / (options.perSecond ?? PROGRESS_PER_SECOND);
  let started: { at: number; done: number } | undefined;
  let lastEmitAt = -Infinity;
  let finalSent = false;
  return (done, total) => {
    const now = options.clock.monotonicMs();
    // A resumed upload starts at the device's offset: the rate counts only what moved in this operation.
    started ??= { at: now, done };
    const final = done >= total;
    if (final ? finalSent : now - lastEmitAt < gapMs) return;
    lastEmitAt = now;
    finalSent = final;
    const seconds = (now - started.at) / 1000;
    const bytesPerSecond = seconds > 0 ? Math.max(0, done - started.done) / seconds : 0;
    const etaSeconds = final ? 0 : bytesPerSecond > 0 ? (total - done) / bytesPerSecond : null;
    options.emit({
      op,
      done,
      total,
      bytesPerSecond: Math.round(bytesPerSecond),
      etaSeconds: etaSeconds === null ? null : Math.ceil(etaSeconds),
    });
  };
}
