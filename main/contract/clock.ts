/**
 * Time as an input. Whatever records when something happened (a run's steps, a rollback) or measures how fast it
 * went (an upload's bytes/s) reads it from a Clock it was given, so a test can pass a fake one and get the same
 * record every time. The composition root passes systemClock.
 */
export interface Clock {
  /** Wall time, for records ("startedAt"). */
  now(): Date;
  /** Monotonic milliseconds, for durations and rates: a wall clock may jump (NTP) in the middle of an upload. */
  monotonicMs(): number;
}

export const systemClock: Clock = {
  now: () => new Date(),
  monotonicMs: () => performance.now(),
};
