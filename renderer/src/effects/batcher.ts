/**
 * Batching of high-rate events: items are queued as they arrive and applied together once per animation frame, so
 * a storm of run:progress events costs one store update (and one React render of the rows it touched) per frame,
 * not one per event. Consecutive items with the same coalescing key in the same group replace each other (ten
 * progress reports of one upload in a frame: only the newest matters); anything else keeps its place and order.
 */
export type Schedule = (flush: () => void) => void;

export interface BatcherOptions<T> {
  schedule: Schedule;
  /** Items that may replace each other belong to one group (a run) ... */
  groupOf?: (item: T) => string;
  /** ... and carry the same key (a step's progress); undefined: never replaced. */
  coalesceKey?: (item: T) => string | undefined;
  /** Applied at once, without waiting for the frame, when this many are queued (a hidden tab has no frames). */
  maxQueue?: number;
}

export interface Batcher<T> {
  push(item: T): void;
  /** Applies what is queued now. */
  flush(): void;
  readonly size: number;
  /** Drops what is queued; later pushes are ignored. */
  dispose(): void;
}

export function createBatcher<T>(apply: (items: T[]) => void, options: BatcherOptions<T>): Batcher<T> {
  const maxQueue = options.maxQueue ?? 10_000;
  let queue: T[] = [];
  /** Per group: the index of its last queued item and that item's key. */
  let lastOfGroup = new Map<string, { index: number; key: string | undefined }>();
  let scheduled = false;
  let disposed = false;

  const flush = (): void => {
    scheduled = false;
    if (queue.length === 0) return;
    const items = queue;
    queue = [];
    lastOfGroup = new Map();
    apply(items);
  };

  return {
    push(item) {
      if (disposed) return;
      const group = options.groupOf?.(item);
      const key = options.coalesceKey?.(item);
      if (group !== undefined) {
        const last = lastOfGroup.get(group);
        if (key !== undefined && last?.key === key) {
          queue[last.index] = item;
          return;
        }
        lastOfGroup.set(group, { index: queue.length, key });
      }
      queue.push(item);
      if (queue.length >= maxQueue) return flush();
      if (!scheduled) {
        scheduled = true;
        options.schedule(() => {
          if (!disposed) flush();
        });
      }
    },
    flush,
    get size() {
      return queue.length;
    },
    dispose() {
      disposed = true;
      queue = [];
      lastOfGroup = new Map();
    },
  };
}

/**
 * The next animation frame — or, when frames stop (a hidden tab, a minimised window), a timer, so the queue still
 * drains and stays bounded.
 */
export function animationFrameSchedule(fallbackMs = 250): Schedule {
  return (flush) => {
    let done = false;
    const run = (): void => {
      if (done) return;
      done = true;
      cancelAnimationFrame(frame);
      clearTimeout(timer);
      flush();
    };
    // Both are set before either can fire (callbacks never run synchronously).
    const frame = requestAnimationFrame(run);
    const timer = setTimeout(run, fallbackMs);
  };
}
