/** The drainer's vocabulary, shared with the CLI and (later) the app: its options, its state, a pass's result, its uploader. */
import type { Logger } from '../log';
import type { BackoffPolicy } from './backoff';
import type { Clock } from './clock';
import type { Outbox } from './outbox';
import type { BatchOutcome } from './registry-client';

/** What the UI shows: one event per change. */
export interface DrainState {
  /** The last attempt reached the registry and got a batch result. null: no attempt yet. */
  online: boolean | null;
  pending: number;
  inFlight: number;
  deadLetter: number;
  /** In an offline bundle, not yet seen in the registry. */
  exported: number;
  lastSuccessAt: string | null;
  lastError: string | null;
  nextAttemptAt: string | null;
}

export interface DrainPass {
  accepted: number;
  duplicate: number;
  /** Moved to the dead-letter list in this pass. */
  deadLettered: number;
  /** Pending and in flight after the pass. */
  remaining: number;
  /** Why the pass stopped before the outbox was empty, and when run() tries again. */
  stopped?: { kind: 'retry' | 'auth' | 'refused'; reason: string; retryAfterMs?: number; retryInMs?: number };
}

export interface BatchUploader {
  uploadBatch(body: string, ids: readonly string[], signal?: AbortSignal): Promise<BatchOutcome>;
}

export interface DrainerOptions {
  outbox: Outbox;
  uploader: BatchUploader;
  /** Records per batch (default and maximum LIMITS.batchRecords). */
  batchRecords?: number;
  /** Bytes per request body (default and maximum LIMITS.batchBytes). */
  batchBytes?: number;
  backoff?: Partial<BackoffPolicy>;
  /** run(): how often to look for records queued by other processes (default 30 s). */
  pollMs?: number;
  /** run(): checks exported rows against the registry (reconcile.ts), at most every reconcileMs (default 10 min). */
  reconcile?: () => Promise<unknown>;
  reconcileMs?: number;
  /**
   * After each pass that reached the registry: sends the station's heartbeat. Its failure is logged and nothing
   * more: it never fails the pass, and it is never sent before the records (heartbeat.ts).
   */
  heartbeat?: () => Promise<unknown>;
  clock?: Clock;
  random?: () => number;
  logger?: Logger;
}
