/**
 * A promise bounded in time: `work` settles it, or after `ms` the error `onTimeout` makes (it may also act: cancel a
 * connect, mark a token session broken). The timer is cleared either way. `unref` lets a finished CLI command exit
 * while the timer would still run — for waits on something outside the event loop's work (a native call).
 */
export function withDeadline<T>(work: Promise<T>, ms: number, onTimeout: () => Error, options: { unref?: boolean } = {}): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(onTimeout()), ms);
    if (options.unref) timer.unref();
    work.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (err: unknown) => {
        clearTimeout(timer);
        reject(err);
      },
    );
  });
}
