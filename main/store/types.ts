/** The local store's surface, as the pipeline, the CLI and (issue #4) the sync drainer use it. */
import type { RunRecord } from '../contract/run-record';

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

/**
 * A provisioning run, or a field-service record (a run record with a `service` section, issue #16). Everything that
 * counts units or looks for "the device's last passed run" asks for provisioning runs only: a service record is not a
 * unit made, and its variables and profile are not the device's provisioning.
 */
export type RunKind = 'provisioning' | 'service';

export interface ListRunsOptions {
  /** At most this many, newest first (default: all). */
  limit?: number;
  /** Only provisioning runs, or only service records (default: both). */
  kind?: RunKind;
  serial?: string;
  /** Only devices whose serial starts with this (the Runs screen's filter box). */
  serialPrefix?: string;
  /** Only runs whose id starts with this (`fieldline runs show <prefix>`). */
  idPrefix?: string;
  outcome?: RunRecord['outcome'];
  /** Only runs of the profile with this name. */
  profile?: string;
  /** Only runs started at or after this instant (ISO 8601, as run records carry it); uses the start-time index. */
  startedSince?: string;
  /** Only runs started before this instant (ISO 8601). */
  startedBefore?: string;
}

/** One certificate this station issued, as its register keeps it (main/store/certificates.ts). */
export interface IssuedCertificateRow {
  /** Lower-case hex. */
  serial: string;
  fingerprintSha256: string;
  subject: string;
  deviceSerial: string;
  runId: string;
  issuedAt: string;
  notAfter: string;
  /** issued: may be on a device, its run not passed (yet); in-service: its run passed; revoked. */
  state: 'issued' | 'in-service' | 'revoked';
  updatedAt: string;
}

/** The process that saved a `running` run: repair tells a live run from one whose process died by it. */
export interface RunOwner {
  runId: string;
  pid: number;
  host: string;
  bootId: string;
}

/** How a device is linked to its replacement (`fieldline replace`): each side present only when there is one. */
export interface DeviceLinks {
  /** The unit this device replaced. */
  replaces?: string;
  /** The unit that replaced this device. */
  replacedBy?: string;
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
   * whether it is a run to resume (`running` left by a crash, `interrupted`). Of one kind only when `kind` is given.
   */
  lastRun(serial: string, kind?: RunKind): RunRecord | undefined;
  /** The register of issued certificates, oldest first. */
  listCertificates(filter?: { state?: IssuedCertificateRow['state']; deviceSerial?: string; fingerprint?: string }): IssuedCertificateRow[];
  /**
   * Runs that may have left something behind: every `running` run (with the process that owns it, when known) and
   * every other unpassed run whose certificate is still `issued` (not revoked); only `deviceSerial`'s when given.
   */
  listUnfinishedRuns(deviceSerial?: string): Array<{ runId: string; outcome: RunRecord['outcome']; owner?: RunOwner }>;
  /** The device's replacement links, from the passed runs that replaced a unit. */
  deviceLinks(serial: string): DeviceLinks;
  /** Appends to the hash-chained audit log. Details must hold no secrets (secret-looking keys are redacted). */
  appendAudit(entry: { actor: string; action: string; subject: string; details?: Record<string, unknown> }): AuditEntry;
  verifyAudit(): AuditVerdict;
  close(): void;
}
