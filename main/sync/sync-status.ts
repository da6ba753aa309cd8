/**
 * What the last drainer saw of the registry — online or not, last success, last error, next attempt — kept in the
 * store's one-row sync_status table, so `fieldline queue status` in another process (or the app, after a restart)
 * shows it. Plain functions on a connection: the caller decides the transaction (an acknowledgement writes it in
 * the same one as the rows it marks sent).
 */
import type Database from 'better-sqlite3';

export interface SyncStatus {
  /** Did the last attempt reach the registry? null: never tried. */
  online: boolean | null;
  lastAttemptAt: string | null;
  lastSuccessAt: string | null;
  lastError: string | null;
  nextAttemptAt: string | null;
}

const COLUMNS: Record<keyof SyncStatus, string> = {
  online: 'online',
  lastAttemptAt: 'last_attempt_at',
  lastSuccessAt: 'last_success_at',
  lastError: 'last_error',
  nextAttemptAt: 'next_attempt_at',
};

interface Row {
  online: number | null;
  last_attempt_at: string | null;
  last_success_at: string | null;
  last_error: string | null;
  next_attempt_at: string | null;
}

export function readSyncStatus(db: Database.Database): SyncStatus {
  const row = db.prepare(`SELECT online, last_attempt_at, last_success_at, last_error, next_attempt_at FROM sync_status WHERE id = 1`).get() as Row | undefined;
  return {
    online: row?.online === null || row?.online === undefined ? null : row.online === 1,
    lastAttemptAt: row?.last_attempt_at ?? null,
    lastSuccessAt: row?.last_success_at ?? null,
    lastError: row?.last_error ?? null,
    nextAttemptAt: row?.next_attempt_at ?? null,
  };
}

/** Updates the given fields only. */
export function writeSyncStatus(db: Database.Database, update: Partial<SyncStatus>): void {
  const sets: string[] = [];
  const values: Array<string | number | null> = [];
  for (const [key, column] of Object.entries(COLUMNS) as Array<[keyof SyncStatus, string]>) {
    if (!(key in update)) continue;
    const value = update[key];
    sets.push(`${column} = ?`);
    values.push(typeof value === 'boolean' ? (value ? 1 : 0) : (value ?? null));
  }
  if (sets.length > 0) db.prepare(`UPDATE sync_status SET ${sets.join(', ')} WHERE id = 1`).run(...values);
}

/** The station CA's revocation list as last sent to the registry (main/sync/revocation-upload.ts). */
export interface RevocationUploadStatus {
  /** SHA-256 over the registry URL and the list last acknowledged; null: never sent. */
  hash: string | null;
  uploadedAt: string | null;
  /** Why the last attempt failed; null after a success. */
  error: string | null;
}

export function readRevocationUploadStatus(db: Database.Database): RevocationUploadStatus {
  const row = db.prepare(`SELECT revocations_hash AS hash, revocations_uploaded_at AS uploadedAt, revocations_error AS error FROM sync_status WHERE id = 1`).get() as
    | RevocationUploadStatus
    | undefined;
  return { hash: row?.hash ?? null, uploadedAt: row?.uploadedAt ?? null, error: row?.error ?? null };
}

export function writeRevocationUploadStatus(db: Database.Database, status: RevocationUploadStatus): void {
  db.prepare(`UPDATE sync_status SET revocations_hash = ?, revocations_uploaded_at = ?, revocations_error = ? WHERE id = 1`).run(status.hash, status.uploadedAt, status.error);
}
