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
  profile: string;
  outcome: RunRecord['outcome'];
  startedAt: string;
  endedAt: string;
}

export interface Store {
  /** Inserts or replaces a run with its steps and evidence, and upserts the device, in one transaction. */
  saveRun(record: RunRecord): void;
  getRun(id: string): RunRecord | undefined;
  listRuns(options?: { limit?: number; serial?: string }): RunSummary[];
  /** The latest run of a device that did not finish (for resume after an unplug). */
  lastRun(serial: string): RunRecord | undefined;
  appendAudit(entry: { actor: string; action: string; subject: string; details?: Record<string, unknown> }): AuditEntry;
  verifyAudit(): AuditVerdict;
  close(): void;
}
