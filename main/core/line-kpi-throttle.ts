/**
 * The line's figures, recomputed lazily and sent at most once per interval: runs ending mark them stale, and a burst
 * of 64 runs ending together is one recomputation and one `line:kpis`, not 64. Reading them (line:state) between
 * two sends recomputes only if something changed.
 */
import type { Logger } from '../log';

export interface KpiThrottle<T> {
  /** The figures, recomputed first if something changed since the last computation. */
  current(): T;
  /** Something changed: the figures are recomputed and sent within the interval. */
  changed(): void;
  /** No more sends (a timer pending is cleared). */
  close(): void;
}

export interface KpiThrottleOptions<T> {
  compute: () => T;
  send: (figures: T) => void;
  /** At most one send per this many ms (the first one at once). */
  intervalMs: number;
  logger: Logger;
  /** Milliseconds, for the interval (injected for tests). */
  clock?: () => number;
}

export function createKpiThrottle<T>(options: KpiThrottleOptions<T>): KpiThrottle<T> {
  const clock = options.clock ?? Date.now;
  let figures: { value: T } | undefined;
  let dirty = true;
  let timer: NodeJS.Timeout | undefined;
  let lastAt = 0;
  let closed = false;

  const current = (): T => {
    if (!figures || dirty) {
      figures = { value: options.compute() };
      dirty = false;
      lastAt = clock();
    }
    return figures.value;
  };

  return {
    current,
    changed() {
      dirty = true;
      if (timer || closed) return;
      const wait = Math.max(0, lastAt + options.intervalMs - clock());
      timer = setTimeout(() => {
        timer = undefined;
        try {
          options.send(current());
        } catch (err) {
          options.logger.error('line figures failed', { error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
        }
      }, wait);
      timer.unref?.();
    },
    close() {
      closed = true;
      clearTimeout(timer);
      timer = undefined;
    },
  };
}
