/**
 * The SQL behind the `operators` table (migration 5). Names are unique without regard to case: each row's `key` is
 * the name folded by operatorKey(), and every lookup goes through it. Counting failures and locking happen in one
 * statement each, so two sign-ins at once (two station sessions) cannot lose a failure between a read and a write.
 */
import type Database from 'better-sqlite3';
import type { OperatorInfo, OperatorRole } from '../contract/operators';
import { FieldlineError } from '../errors';

/** The comparison form of a name: compatibility-normalised and lower-cased, so "Ana", "ANA" and "ａｎａ" are one. */
export function operatorKey(name: string): string {
  return name.normalize('NFKC').toLowerCase();
}

export interface OperatorRow extends OperatorInfo {
  /** The scrypt hash with its salt and parameters (main/store/operator-secret.ts). */
  secret: string;
  failures: number;
  lockedUntil: string | null;
}

interface Row {
  name: string;
  role: OperatorRole;
  secret: string;
  disabled: number;
  failures: number;
  locked_until: string | null;
  created_at: string;
  last_sign_in_at: string | null;
}

const COLUMNS = 'name, role, secret, disabled, failures, locked_until, created_at, last_sign_in_at';

function toRow(r: Row): OperatorRow {
  return {
    name: r.name,
    role: r.role,
    secret: r.secret,
    disabled: r.disabled === 1,
    failures: r.failures,
    lockedUntil: r.locked_until,
    createdAt: r.created_at,
    lastSignInAt: r.last_sign_in_at,
  };
}

/** What lists show: the row without its hash and counters. */
export function operatorInfo(row: OperatorRow): OperatorInfo {
  return { name: row.name, role: row.role, disabled: row.disabled, createdAt: row.createdAt, lastSignInAt: row.lastSignInAt };
}

export function countOperators(db: Database.Database): number {
  return Number(db.prepare(`SELECT count(*) FROM operators`).pluck().get());
}

export function countEnabledAdmins(db: Database.Database): number {
  return Number(db.prepare(`SELECT count(*) FROM operators WHERE role = 'admin' AND disabled = 0`).pluck().get());
}

export function selectOperator(db: Database.Database, name: string): OperatorRow | undefined {
  const row = db.prepare(`SELECT ${COLUMNS} FROM operators WHERE key = ?`).get(operatorKey(name)) as Row | undefined;
  return row && toRow(row);
}

export function selectOperators(db: Database.Database): OperatorRow[] {
  return (db.prepare(`SELECT ${COLUMNS} FROM operators ORDER BY key`).all() as Row[]).map(toRow);
}

/** Throws OPERATOR_EXISTS when the name, compared without case, is taken. Call inside a transaction. */
export function insertOperator(db: Database.Database, op: { name: string; role: OperatorRole; secret: string; createdAt: string }): void {
  const inserted = db
    .prepare(`INSERT INTO operators (key, name, role, secret, created_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (key) DO NOTHING`)
    .run(operatorKey(op.name), op.name, op.role, op.secret, op.createdAt);
  if (inserted.changes === 0) throw new FieldlineError('OPERATOR_EXISTS', op.name, { name: op.name });
}

export function updateDisabled(db: Database.Database, name: string, disabled: boolean): void {
  db.prepare(`UPDATE operators SET disabled = ? WHERE key = ?`).run(disabled ? 1 : 0, operatorKey(name));
}

/** A new secret also ends any lockout: an admin setting it is the way out of one. */
export function updateSecret(db: Database.Database, name: string, secret: string): void {
  db.prepare(`UPDATE operators SET secret = ?, failures = 0, locked_until = NULL WHERE key = ?`).run(secret, operatorKey(name));
}

/** Counts one wrong secret; answers the count now stored. */
export function addFailure(db: Database.Database, name: string): number {
  return Number(db.prepare(`UPDATE operators SET failures = failures + 1 WHERE key = ? RETURNING failures`).pluck().get(operatorKey(name)) ?? 0);
}

export function updateLockedUntil(db: Database.Database, name: string, until: string): void {
  db.prepare(`UPDATE operators SET locked_until = ? WHERE key = ?`).run(until, operatorKey(name));
}

export function recordSignIn(db: Database.Database, name: string, at: string): void {
  db.prepare(`UPDATE operators SET failures = 0, locked_until = NULL, last_sign_in_at = ? WHERE key = ?`).run(at, operatorKey(name));
}
