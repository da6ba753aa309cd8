/**
 * One console call on one device, claimed afresh for each call (main/core/claimed-session.ts), so a console left open
 * on a device page never keeps a run from starting.
 */
import { claimedSessions, type ClaimedSessionOptions, type WithDevice } from '../claimed-session';

export type ConsoleSessionOptions = ClaimedSessionOptions;
export type { WithDevice };

export function consoleSessions(options: ConsoleSessionOptions): WithDevice {
  return claimedSessions(options, 'console');
}
