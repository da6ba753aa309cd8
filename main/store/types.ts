/** The local store's surface, as the pipeline, the CLI and (issue #4) the sync drainer use it. */
import type { RunRecord } from '../provisioning/record';

export interface AuditEntry {
  seq: number;
  at: string;
  actor: string;
  action: string;
  subject: string;
  details: Record<string, unknown>;
  prevHash: string;
  hash: string;
}

export interface AuditVerdict {
  ok: boolean;
  entries: number;
  /** First entry that breaks the chain, and why. */
  problem?: { seq: number; reason: string };
}

export interface RunSummary {
  id: string;
  serial: string;
  /** Profile name. */
  profile: string;
  profileVersion: string;
  station: string;
  outcome: RunRecord['outcome'];
  startedAt: string;
  endedAt: string;
  /** The run's error code, when it has one. */
  errorCode?: string;
}

export interface ListRunsOptions {
  /** At most this many, newest first (default: all). */
  limit?: number;
  serial?: string;
  /** Only runs whose id starts with this (`fieldline runs show <prefix>`). */
  idPrefix?: string;
  /** Only runs started at or after this instant (ISO 8601, as run records carry it); uses the start-time index. */
  startedSince?: string;
}

export interface Store {
  /**
   * Inserts or replaces a run with its steps and evidence, and upserts the device, in one transaction — with `audit`
   * entries appended in the same transaction when given: one commit (one fsync) for a step's record and its audit
   * line instead of two, which a station running 64 gateways at once pays on every step.
   */
  saveRun(record: RunRecord, audit?: ReadonlyArray<{ actor: string; action: string; subject: string; details?: Record<string, unknown> }>): void;
  getRun(id: string): RunRecord | undefined;
  /** Newest first (by start time). */
  listRuns(options?: ListRunsOptions): RunSummary[];
  /**
   * The device's most recent run (by start time), whatever its outcome: the caller decides from its outcome
   * whether it is a run to resume (`running` left by a crash, `interrupted`).
   */
  lastRun(serial: string): RunRecord | undefined;
  /** Appends to the hash-chained audit log. Details must hold no secrets (secret-looking keys are redacted). */
  appendAudit(entry: { actor: string; action: string; subject: string; details?: Record<string, unknown> }): AuditEntry;
  verifyAudit(): AuditVerdict;
  close(): void;
}
