/**
 * The audit log: append-only, hash-chained. Each entry's hash is SHA-256 over a canonical encoding of its fields
 * and the hash of the entry before it (64 zeros for the first), so editing, deleting or reordering any entry breaks
 * the chain from there on. The audit_head row holds the newest entry's seq and hash, written in the same
 * transaction as the entry; it is what shows that entries were cut off the end.
 *
 * What this does not cover: someone who can write the file may rewrite the whole chain from the first changed
 * entry onwards, head included, and it verifies. Catching that needs an anchor kept elsewhere (the last hash sent
 * to the registry, or printed on a report) — out of scope here.
 *
 * Secrets never go into an entry: details pass through the logger's redact() at every level (keys such as
 * passphrase, token, privateKey), but callers must not rely on it — put fingerprints and ids in details, not keys.
 */
import type Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { redact } from '../log';
import { canonicalJson } from '../contract/json';
import { AUDIT_GENESIS } from './migrations';
import type { AuditEntry, AuditVerdict } from './types';

/** Tags the encoding, so a future change of it cannot be mistaken for this one. */
const ENCODING = 'fieldline-audit-v1';

export interface AuditInput {
  actor: string;
  action: string;
  subject: string;
  details?: Record<string, unknown>;
}

interface AuditRow {
  seq: number;
  at: string;
  actor: string;
  action: string;
  subject: string;
  details: string;
  prev_hash: string;
  hash: string;
}

/**
 * The entry's hash. The fields go into a JSON array (so no separator inside a field can shift another field's
 * bytes), `details` as its canonical JSON text (keys sorted, no whitespace), exactly as stored in the table.
 * Anyone can recompute it: SHA-256 of the UTF-8 of JSON.stringify(["fieldline-audit-v1", seq, at, actor, action,
 * subject, detailsText, prevHash]), in lowercase hex.
 */
export function auditHash(fields: Omit<AuditRow, 'hash'>): string {
  const encoded = JSON.stringify([ENCODING, fields.seq, fields.at, fields.actor, fields.action, fields.subject, fields.details, fields.prev_hash]);
  return createHash('sha256').update(encoded, 'utf8').digest('hex');
}

function redactDeep(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redactDeep);
  if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    const top = redact(value as Record<string, unknown>) ?? {};
    return Object.fromEntries(Object.entries(top).map(([k, v]) => [k, redactDeep(v)]));
  }
  return value;
}

function toEntry(row: AuditRow): AuditEntry {
  return {
    seq: row.seq,
    at: row.at,
    actor: row.actor,
    action: row.action,
    subject: row.subject,
    details: JSON.parse(row.details) as Record<string, unknown>,
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}

/**
 * Appends one entry after the head. Call inside an IMMEDIATE transaction: the head is read and rewritten under the
 * write lock, so two processes appending at once still make one chain. The head, not the last row, says where the
 * chain continues: continuing from the last row would hide a tail that was cut off.
 */
export function appendEntry(db: Database.Database, input: AuditInput, at: string): AuditEntry {
  const head = db.prepare('SELECT seq, hash FROM audit_head WHERE id = 1').get() as { seq: number; hash: string } | undefined;
  if (!head) throw new Error('audit_head row is missing: the store was not migrated, or the row was deleted');
  const fields = {
    seq: head.seq + 1,
    at,
    actor: input.actor,
    action: input.action,
    subject: input.subject,
    details: canonicalJson(redactDeep(input.details ?? {}), 'details'),
    prev_hash: head.hash,
  };
  const row: AuditRow = { ...fields, hash: auditHash(fields) };
  db.prepare(
    `INSERT INTO audit (seq, at, actor, action, subject, details, prev_hash, hash)
     VALUES ($seq, $at, $actor, $action, $subject, $details, $prev_hash, $hash)`,
  ).run(row);
  db.prepare('UPDATE audit_head SET seq = ?, hash = ? WHERE id = 1').run(row.seq, row.hash);
  return toEntry(row);
}

/** The newest `limit` entries, oldest of them first (`fieldline audit list`). */
export function selectEntries(db: Database.Database, limit: number): AuditEntry[] {
  const rows = db
    .prepare('SELECT seq, at, actor, action, subject, details, prev_hash, hash FROM audit ORDER BY seq DESC LIMIT ?')
    .all(limit) as AuditRow[];
  return rows.reverse().map(toEntry);
}

/**
 * Walks the chain in seq order and reports the first entry that breaks it. Reads in one transaction, so an append
 * by another process in the middle of the walk cannot look like a break.
 */
export function verifyChain(db: Database.Database): AuditVerdict {
  const walk = db.transaction((): AuditVerdict => {
    let expected = 1;
    let prevHash = AUDIT_GENESIS;
    const rows = db.prepare('SELECT seq, at, actor, action, subject, details, prev_hash, hash FROM audit ORDER BY seq').iterate() as IterableIterator<AuditRow>;
    for (const row of rows) {
      const entries = expected - 1;
      if (row.seq > expected) {
        return { ok: false, entries, problem: { seq: expected, reason: `entry ${expected} is missing (deleted, or its seq was changed)` } };
      }
      if (row.seq < expected) {
        return { ok: false, entries, problem: { seq: row.seq, reason: `entry has seq ${row.seq}; the log starts at 1` } };
      }
      const selfOk = auditHash(row) === row.hash;
      const linkOk = row.prev_hash === prevHash;
      if (!selfOk && !linkOk) {
        return { ok: false, entries, problem: { seq: row.seq, reason: 'entry does not belong here (reordered, or replaced): its hash and its link to the entry before are both wrong' } };
      }
      if (!selfOk) return { ok: false, entries, problem: { seq: row.seq, reason: 'entry was edited: its hash does not match its contents' } };
      if (!linkOk) {
        return { ok: false, entries, problem: { seq: row.seq, reason: `prev_hash does not match the hash of entry ${row.seq - 1} (an entry before it was edited, deleted or reordered)` } };
      }
      prevHash = row.hash;
      expected += 1;
    }
    const entries = expected - 1;
    const head = db.prepare('SELECT seq, hash FROM audit_head WHERE id = 1').get() as { seq: number; hash: string } | undefined;
    if (!head) return { ok: false, entries, problem: { seq: entries + 1, reason: 'the audit head (the record of the newest entry) was deleted' } };
    if (head.seq > entries) {
      return { ok: false, entries, problem: { seq: entries + 1, reason: `entries ${entries + 1} to ${head.seq} are missing: the end of the log was cut off` } };
    }
    if (head.seq < entries) {
      return { ok: false, entries, problem: { seq: head.seq + 1, reason: `entries from ${head.seq + 1} on were added outside Fieldline (the audit head ends at ${head.seq})` } };
    }
    if (head.hash !== prevHash) {
      return { ok: false, entries, problem: { seq: head.seq, reason: `entry ${head.seq} is not the one the audit head recorded: it was replaced outside Fieldline` } };
    }
    return { ok: true, entries };
  });
  return walk.deferred();
}
