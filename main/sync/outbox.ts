/**
 * The outbox: the rows migration 2 created, one per finished run, and every change of their state. Each method is
 * one IMMEDIATE transaction on the store's connection, so a process killed at any instant leaves each row in
 * exactly one state:
 *
 *   pending ──claim──▶ in-flight ──acknowledged (accepted or duplicate)──▶ sent
 *      ▲                   │   └──rejected by the registry──────────────▶ dead ──retry──▶ pending
 *      └──failure / crash──┘
 *   pending ──queue export──▶ exported ──found in the registry (reconcile)──▶ sent
 *
 * A row is marked sent only after the registry acknowledged it. A process killed between the registry's commit and
 * ours leaves the row in-flight; recoverInFlight() (every drainer start) makes it pending again and it is sent once
 * more, which the registry answers with `duplicate` — it stores each record id once — and the row becomes sent.
 * So "nothing uploaded twice" holds where it matters, in the registry, without a two-phase commit.
 */
import type Database from 'better-sqlite3';
import { guard } from '../shared/sqlite';
import type { SqliteStore } from '../store/store';
import { readSyncStatus, writeSyncStatus, type SyncStatus } from './sync-status';

export const OUTBOX_STATES = ['pending', 'in-flight', 'sent', 'dead', 'exported'] as const;
export type OutboxState = (typeof OUTBOX_STATES)[number];

export interface OutboxRow {
  runId: string;
  serial: string;
  outcome: string;
  state: OutboxState;
  attempts: number;
  lastError: string | null;
  enqueuedAt: string;
  sentAt: string | null;
  deadReason: string | null;
  exportedAt: string | null;
  exportedTo: string | null;
}

export interface OutboxCounts {
  pending: number;
  inFlight: number;
  sent: number;
  deadLetter: number;
  exported: number;
}

/** A record ready to send: its run id and the exact JSON text the store holds (sent as is, never re-encoded). */
export interface QueuedRecord {
  runId: string;
  json: string;
  bytes: number;
}

/** `{"records":[` + `]}`: the bytes a batch adds around its records (plus one comma between each two). */
export const BATCH_ENVELOPE_BYTES = '{"records":[]}'.length;

interface RawRow {
  run_id: string;
  serial: string;
  outcome: string;
  state: OutboxState;
  attempts: number;
  last_error: string | null;
  enqueued_at: string;
  sent_at: string | null;
  dead_reason: string | null;
  exported_at: string | null;
  exported_to: string | null;
}

const toRow = (r: RawRow): OutboxRow => ({
  runId: r.run_id,
  serial: r.serial,
  outcome: r.outcome,
  state: r.state,
  attempts: r.attempts,
  lastError: r.last_error,
  enqueuedAt: r.enqueued_at,
  sentAt: r.sent_at,
  deadReason: r.dead_reason,
  exportedAt: r.exported_at,
  exportedTo: r.exported_to,
});

export interface ClaimResult {
  /** Now in-flight, in queue order, fitting the count and byte limits together. */
  batch: QueuedRecord[];
  /** Records too large for any batch: moved to the dead-letter list (they can never be accepted). */
  oversized: Array<{ runId: string; reason: string }>;
}

/** The statements a drain runs for every batch, prepared once per Outbox. */
function prepareStatements(db: Database.Database) {
  const p = (text: string): Database.Statement => db.prepare(text);
  return {
    nextPending: p(
      `SELECT o.run_id AS runId, r.record AS json FROM outbox o JOIN runs r ON r.id = o.run_id
       WHERE o.state = 'pending' ORDER BY o.seq LIMIT ?`,
    ),
    claim: p(`UPDATE outbox SET state = 'in-flight', attempts = attempts + 1 WHERE run_id = ? AND state = 'pending'`),
    // Acknowledged means the registry holds the record, whatever state the row had meanwhile (a second process
    // may have sent or exported it too): sent is the truth from now on.
    sent: p(`UPDATE outbox SET state = 'sent', sent_at = ?, last_error = NULL WHERE run_id = ? AND state <> 'sent'`),
    dead: p(`UPDATE outbox SET state = 'dead', dead_reason = ?, last_error = ? WHERE run_id = ? AND state IN ('in-flight', 'pending')`),
    release: p(`UPDATE outbox SET state = 'pending', last_error = ? WHERE run_id = ? AND state = 'in-flight'`),
    recover: p(`UPDATE outbox SET state = 'pending' WHERE state = 'in-flight'`),
    counts: p(`SELECT state, count(*) AS n FROM outbox GROUP BY state`),
  };
}

export class Outbox {
  private readonly db: Database.Database;
  private readonly file: string;
  private readonly now: () => Date;
  private readonly sql: ReturnType<typeof prepareStatements>;
  /** Whom to ask to be told of runs queued through this store's connection. */
  readonly onQueued: (listener: () => void) => () => void;

  constructor(store: Pick<SqliteStore, 'db' | 'file' | 'onRunQueued'>, now: () => Date = () => new Date()) {
    this.db = store.db;
    this.onQueued = (listener) => store.onRunQueued(listener);
    this.file = store.file;
    this.now = now;
    this.sql = prepareStatements(store.db);
  }

  private write<T>(fn: () => T): T {
    return guard(this.file, () => this.db.transaction(fn).immediate());
  }

  /** In-flight rows left by a process that died mid-send: pending again. Call when a drainer starts. */
  recoverInFlight(): number {
    return this.write(() => this.sql.recover.run().changes);
  }

  /**
   * Takes the oldest pending records, as many as fit `maxRecords` and `maxBytes` (the whole request body), and
   * marks them in-flight. A record that alone exceeds `maxBytes` is dead-lettered with the reason.
   */
  claim(maxRecords: number, maxBytes: number): ClaimResult {
    return this.write(() => {
      const batch: QueuedRecord[] = [];
      const oversized: ClaimResult['oversized'] = [];
      let bytes = BATCH_ENVELOPE_BYTES;
      // Read a few more than needed so oversized records do not end the batch early.
      const rows = this.sql.nextPending.all(maxRecords + 16) as Array<{ runId: string; json: string }>;
      for (const row of rows) {
        const size = Buffer.byteLength(row.json);
        if (BATCH_ENVELOPE_BYTES + size > maxBytes) {
          const reason = `the record is ${size} bytes, more than a batch may carry (${maxBytes} bytes)`;
          this.sql.dead.run(reason, reason, row.runId);
          oversized.push({ runId: row.runId, reason });
          continue;
        }
        const extra = size + (batch.length > 0 ? 1 : 0);
        if (batch.length >= maxRecords || bytes + extra > maxBytes) break;
        this.sql.claim.run(row.runId);
        batch.push({ runId: row.runId, json: row.json, bytes: size });
        bytes += extra;
      }
      return { batch, oversized };
    });
  }

  /**
   * The registry's answer, applied in one transaction: acknowledged ids (accepted or duplicate) are sent,
   * rejected ones dead with the registry's reason; the sync status records a success.
   */
  acknowledge(sentIds: readonly string[], rejected: ReadonlyArray<{ id: string; reason: string }>): void {
    this.write(() => {
      const at = this.now().toISOString();
      for (const id of sentIds) this.sql.sent.run(at, id);
      for (const r of rejected) this.sql.dead.run(r.reason, `rejected: ${r.reason}`, r.id);
      writeSyncStatus(this.db, { online: true, lastAttemptAt: at, lastSuccessAt: at, lastError: null, nextAttemptAt: null });
    });
  }

  /** Dead-letters records the registry refused as a whole request (a batch of one that is malformed, too large). */
  deadLetter(rejected: ReadonlyArray<{ id: string; reason: string }>): void {
    this.write(() => {
      for (const r of rejected) this.sql.dead.run(r.reason, `rejected: ${r.reason}`, r.id);
    });
  }

  /** A send that failed without an answer about these records: they are pending again, with the error. */
  release(ids: readonly string[], error: string): void {
    this.write(() => {
      for (const id of ids) this.sql.release.run(error, id);
    });
  }

  counts(): OutboxCounts {
    const counts: OutboxCounts = { pending: 0, inFlight: 0, sent: 0, deadLetter: 0, exported: 0 };
    const key: Record<OutboxState, keyof OutboxCounts> = { pending: 'pending', 'in-flight': 'inFlight', sent: 'sent', dead: 'deadLetter', exported: 'exported' };
    const rows = guard(this.file, () => this.sql.counts.all()) as Array<{ state: OutboxState; n: number }>;
    for (const { state, n } of rows) {
      const k = key[state];
      if (k) counts[k] += n;
    }
    return counts;
  }

  /** Rows with their run's serial and outcome, oldest first; optionally only one state, at most `limit`. */
  list(options: { state?: OutboxState; limit?: number } = {}): OutboxRow[] {
    const rows = guard(this.file, () =>
      this.db
        .prepare(
          `SELECT o.run_id, r.serial, r.outcome, o.state, o.attempts, o.last_error, o.enqueued_at, o.sent_at, o.dead_reason,
                  o.exported_at, o.exported_to
           FROM outbox o JOIN runs r ON r.id = o.run_id
           ${options.state ? 'WHERE o.state = $state' : ''} ORDER BY o.seq LIMIT $limit`,
        )
        .all({ ...(options.state ? { state: options.state } : {}), limit: options.limit ?? -1 }),
    ) as RawRow[];
    return rows.map(toRow);
  }

  /**
   * Back to pending: the given dead-lettered or exported rows (an exported bundle that was lost), or with 'all'
   * every dead-lettered row. Returns the ids moved; ids in another state are left alone.
   */
  retry(ids: readonly string[] | 'all'): string[] {
    return this.write(() => {
      const targets =
        ids === 'all'
          ? (this.db.prepare(`SELECT run_id FROM outbox WHERE state = 'dead' ORDER BY seq`).pluck().all() as string[])
          : ids.filter((id) => {
              const state = this.db.prepare('SELECT state FROM outbox WHERE run_id = ?').pluck().get(id) as string | undefined;
              return state === 'dead' || state === 'exported';
            });
      const move = this.db.prepare(
        `UPDATE outbox SET state = 'pending', dead_reason = NULL, last_error = NULL, exported_at = NULL, exported_to = NULL WHERE run_id = ?`,
      );
      for (const id of targets) move.run(id);
      return targets;
    });
  }

  /** Every pending record, oldest first, for an offline bundle. */
  pending(): QueuedRecord[] {
    const rows = guard(this.file, () =>
      this.db.prepare(`SELECT o.run_id AS runId, r.record AS json FROM outbox o JOIN runs r ON r.id = o.run_id WHERE o.state = 'pending' ORDER BY o.seq`).all(),
    ) as Array<{ runId: string; json: string }>;
    return rows.map((r) => ({ ...r, bytes: Buffer.byteLength(r.json) }));
  }

  /** Marks rows exported to `file`, those still pending (one another process sent meanwhile stays sent). */
  markExported(ids: readonly string[], file: string): number {
    return this.write(() => {
      const at = this.now().toISOString();
      const mark = this.db.prepare(`UPDATE outbox SET state = 'exported', exported_at = ?, exported_to = ? WHERE run_id = ? AND state = 'pending'`);
      let n = 0;
      for (const id of ids) n += mark.run(at, file, id).changes;
      return n;
    });
  }

  /** Exported rows with their device serial, oldest first: what reconciliation asks the registry about. */
  exportedRows(limit: number): Array<{ runId: string; serial: string }> {
    return guard(this.file, () =>
      this.db
        .prepare(`SELECT o.run_id AS runId, r.serial FROM outbox o JOIN runs r ON r.id = o.run_id WHERE o.state = 'exported' ORDER BY o.seq LIMIT ?`)
        .all(limit),
    ) as Array<{ runId: string; serial: string }>;
  }

  /** Marks exported rows sent: the registry was seen holding them. */
  markReconciled(ids: readonly string[]): number {
    return this.write(() => {
      const at = this.now().toISOString();
      const mark = this.db.prepare(`UPDATE outbox SET state = 'sent', sent_at = ? WHERE run_id = ? AND state = 'exported'`);
      let n = 0;
      for (const id of ids) n += mark.run(at, id).changes;
      return n;
    });
  }

  status(): SyncStatus {
    return guard(this.file, () => readSyncStatus(this.db));
  }

  /** Records what the drainer saw (a failure, the next attempt time); its own transaction. */
  recordStatus(update: Partial<SyncStatus>): void {
    this.write(() => writeSyncStatus(this.db, update));
  }
}
