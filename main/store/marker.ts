/**
 * The store's marker: a small file beside the database (`fieldline.db.marker`) that says "this store has held runs
 * or audit entries". SQLite takes a 0-byte or missing file for a new, empty database, so without something kept
 * outside the file a store lost to a bad copy, a truncation or a stray `rm` would silently become an empty one —
 * and `audit verify` would answer ok with 0 entries (issue #11). With the marker, opening such a store fails with
 * STORE_MISSING instead, and starting afresh is a deliberate act (`fieldline store reset`, startNewStore()).
 *
 * The marker only says that data existed, not how much: a store restored from an older backup has fewer runs than
 * the one it replaces, and must open. Missing entries inside a store are the audit chain's business.
 */
import type Database from 'better-sqlite3';
import { closeSync, existsSync, fsyncSync, openSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { basename } from 'node:path';
import { FieldlineError } from '../errors';

/** The marker's path for a store file. */
export function markerPath(file: string): string {
  return `${file}.marker`;
}

/** SQLite's companions of the database file, moved with it. */
const COMPANIONS = ['-wal', '-shm', '-journal'] as const;

function size(path: string): number | undefined {
  try {
    return statSync(path).size;
  } catch {
    return undefined;
  }
}

function missing(file: string, why: string): FieldlineError {
  const says = `${basename(markerPath(file))} beside it says this store has held runs or audit entries`;
  return new FieldlineError('STORE_MISSING', `${file} ${why}, but ${says}`, { file, marker: markerPath(file) });
}

/** Whether the store at `file` is marked as having held data. */
export function isMarked(file: string): boolean {
  return file !== ':memory:' && existsSync(markerPath(file));
}

/**
 * Before SQLite sees the file (opening creates a missing one, and takes a 0-byte one for a new database, setting
 * aside any WAL beside it): a marked store whose file is gone or 0 bytes is refused, and left exactly as found.
 */
export function checkBeforeOpen(file: string): void {
  if (!isMarked(file)) return;
  const bytes = size(file);
  if (bytes === undefined) throw missing(file, 'does not exist');
  if (bytes === 0) throw missing(file, 'is empty (0 bytes)');
}

/** Whether the opened database holds no run and no audit entry (or has no Fieldline schema at all). */
export function holdsNothing(db: Database.Database): boolean {
  // Table by table: a schema from a test's own migration list may lack either.
  const has = (table: string): boolean => db.prepare("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = ?").get(table) !== undefined;
  const run = has('runs') ? db.prepare('SELECT 1 FROM runs LIMIT 1').get() : undefined;
  const head = has('audit_head') ? (db.prepare('SELECT seq FROM audit_head WHERE id = 1').pluck().get() as number | undefined) : undefined;
  return run === undefined && (head ?? 0) === 0;
}

/** After opening, before migrating (which would write): a marked store must still hold something. */
export function checkAfterOpen(db: Database.Database, file: string): void {
  if (isMarked(file) && holdsNothing(db)) throw missing(file, 'holds no runs and no audit entries');
}

/**
 * Writes the marker if the store holds data and has none yet. Atomic (a temporary file renamed over) and synced,
 * so a power cut cannot leave half a marker. Best effort: a store on a read-only or full disk is reported by the
 * write that failed, not by its marker.
 */
export function markIfHoldsData(db: Database.Database, file: string): boolean {
  if (file === ':memory:' || isMarked(file) || holdsNothing(db)) return isMarked(file);
  const tmp = `${markerPath(file)}.${process.pid}.tmp`;
  try {
    const fd = openSync(tmp, 'w', 0o600);
    try {
      const text = JSON.stringify({ marker: 'fieldline-store', version: 1, store: basename(file), hadDataSince: new Date().toISOString() });
      writeSync(fd, text + '\n');
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, markerPath(file));
    return true;
  } catch {
    try {
      unlinkSync(tmp);
    } catch {
      // Never written: nothing to clean.
    }
    return false;
  }
}

/**
 * Moves the store aside so the next open starts a new, empty one: the file (with its WAL and shared-memory files)
 * goes to `<file>.replaced-<time>` — kept, since runs not yet synced may be in it — and the marker is removed.
 * Answers where the old file went (nothing when there was no file). main/store/reset.ts decides when this is right.
 */
export function moveAside(file: string, now = new Date()): { movedTo?: string } {
  let movedTo: string | undefined;
  if (size(file) !== undefined) {
    movedTo = `${file}.replaced-${now.toISOString().replace(/[:.]/g, '-')}`;
    renameSync(file, movedTo);
    for (const suffix of COMPANIONS) {
      if (size(file + suffix) !== undefined) renameSync(file + suffix, movedTo + suffix);
    }
  }
  if (existsSync(markerPath(file))) unlinkSync(markerPath(file));
  return movedTo === undefined ? {} : { movedTo };
}
