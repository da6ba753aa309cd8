/**
 * What every group handler of one virtual device shares: its config, its non-volatile state, its counters, a clock
 * and the simulated hardware costs. Handlers take it as an argument so tests can build one with a fake clock.
 */
import type { Logger } from '../../log';
import type { ResolvedDeviceConfig } from './config';
import type { StatsCounters } from './counters';
import type { DeviceState } from './state';

export interface DeviceContext {
  readonly config: ResolvedDeviceConfig;
  readonly state: DeviceState;
  readonly stats: StatsCounters;
  readonly log: Logger;
  /** Host time in ms (Date.now unless a test injects a clock). */
  now(): number;
  /** Milliseconds since the last boot. */
  uptimeMs(): number;
  sleep(ms: number): Promise<void>;
  /** Costs the configured flash time for `bytes` written and counts them. */
  flashWrite(bytes: number): Promise<void>;
  /** Costs the configured slot-erase time and counts it. */
  flashErase(): Promise<void>;
}

export function sleep(ms: number): Promise<void> {
  // Zero delays must not even yield to a timer: tests set them to 0 and expect no waiting.
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve) => setTimeout(resolve, ms));
}
