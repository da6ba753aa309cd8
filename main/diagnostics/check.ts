/**
 * One acceptance check: given the session and what the run knows, measure one value and compare it with its
 * limits. Checks never throw for a device that merely fails; a device error is a failed result with detail.
 */
import type { Clock } from '../contract/clock';
import type { GatewaySession } from '../device/session';
import type { DiagnosticSpec } from '../profiles/schema';
import type { DiagnosticResult } from '../contract/run-record';

export interface CheckContext {
  session: GatewaySession;
  /** The golden configuration hash (rendered profile) and how to hash what the device holds now. */
  expectedConfigurationHash?: string;
  readConfigurationHash?: () => Promise<string>;
  /** The certificate installed this run (DER), for the challenge. */
  certificateDer?: Uint8Array;
  identityMode?: 'csr' | 'inject';
  identitySlot?: number;
  /** Inject mode: reads the certificate back from the device's file system. */
  readInjectedCertificate?: () => Promise<Uint8Array>;
  signal?: AbortSignal;
  /** Times each check and the echo round trips (the run's clock). */
  clock: Pick<Clock, 'monotonicMs'>;
}

export type CheckOutcome = Omit<DiagnosticResult, 'name' | 'type' | 'durationMs'>;

export type Check<S extends DiagnosticSpec = DiagnosticSpec> = (spec: S, context: CheckContext) => Promise<CheckOutcome>;

export function withinLimits(value: number, min?: number, max?: number): boolean {
  return (min === undefined || value >= min) && (max === undefined || value <= max);
}
