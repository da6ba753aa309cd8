/**
 * Opening a Fieldline SQLite file: its permissions, the connection settings, and SQLite's errors turned into the
 * technician's words. The desktop app and the CLI open the same file at the same time, so every connection runs in
 * WAL mode (readers do not block the writer) and waits for a busy lock instead of failing.
 *
 * In main/shared/ (neutral: imports only main/errors and packages) because both the station's store (main/store)
 * and the reference registry (registry/db.ts) open their databases this way; where the store's file lives is
 * main/store/file.ts.
 */
import Database from 'better-sqlite3';
import { chmodSync, closeSync, mkdirSync, openSync, statfsSync, statSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { FieldlineError, isFieldlineError } from '../errors';

/** How long a connection waits for another process's write lock before giving up with STORE_BUSY. */
export const BUSY_TIMEOUT_MS = 10_000;

/**
 * Creates the file owner-only (0600) before SQLite does: it holds device serials, certificates and the audit log.
 * SQLite gives the -wal and -shm files it creates later the same permissions as the database file.
 */
function prepareFile(file: string): void {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  closeSync(openSync(file, 'a', 0o600));
  if (process.platform !== 'win32' && (statSync(file).mode & 0o077) !== 0) {
    try {
      chmodSync(file, 0o600);
    } catch {
      // Not our file (a shared station account, say): leave its permissions to its owner.
    }
  }
}

const CORRUPT = new Set(['SQLITE_CORRUPT', 'SQLITE_NOTADB']);
const UNWRITABLE = /^SQLITE_(CANTOPEN|READONLY|PERM|AUTH|NOLFS)/;
const FILE_SYSTEM = ['EACCES', 'EPERM', 'EROFS', 'ENOTDIR', 'EISDIR', 'ENOENT'];

/**
 * SQLite's and the file system's failures as FieldlineErrors; anything else (a constraint, a typo in SQL) is a bug.
 * A write the disk had no room for is STORE_DISK_FULL, whose words name the folder and the space left (issue #11):
 * "database or disk is full" alone sends the technician looking at the database.
 */
export function storeError(err: unknown, file: string): unknown {
  if (isFieldlineError(err)) return err;
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return err;
  const reason = `${file}: ${(err as Error).message}`;
  if (CORRUPT.has(code) || code.startsWith('SQLITE_CORRUPT')) return new FieldlineError('STORE_CORRUPT', reason, {}, { cause: err });
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) return new FieldlineError('STORE_BUSY', reason, {}, { cause: err });
  const full = diskFullError(err, code, file);
  if (full) return full;
  if (code.startsWith('SQLITE_IOERR')) {
    const space = spaceLeft(file);
    return new FieldlineError('STORE_UNAVAILABLE', `${reason}${space ? ` (${space.words} on its disk)` : ''}`, {}, { cause: err });
  }
  if (UNWRITABLE.test(code) || FILE_SYSTEM.includes(code)) {
    const readOnly = code.startsWith('SQLITE_READONLY') || code === 'EROFS';
    return new FieldlineError('STORE_UNAVAILABLE', readOnly ? `${reason} — ${dataFolder(file)} is read-only` : reason, {}, { cause: err });
  }
  return err;
}

/**
 * SQLITE_FULL and ENOSPC are a full disk. So is an I/O error on a disk with (almost) nothing left: where a write to
 * the WAL or its index fails with ENOSPC, SQLite reports SQLITE_IOERR_WRITE or _SHMSIZE, not SQLITE_FULL.
 */
function diskFullError(err: unknown, code: string, file: string): FieldlineError | undefined {
  const sure = code.startsWith('SQLITE_FULL') || code === 'ENOSPC';
  if (!sure && !code.startsWith('SQLITE_IOERR')) return undefined;
  const space = spaceLeft(file);
  if (!sure && (space === undefined || space.bytes >= LOW_SPACE_BYTES)) return undefined;
  const left = space ? space.words : 'no space left';
  return new FieldlineError(
    'STORE_DISK_FULL',
    `free space on the disk that holds ${dataFolder(file)}: ${left} (${basename(file)}: ${(err as Error).message})`,
    { folder: dataFolder(file), ...(space ? { bytesFree: space.bytes } : {}) },
    { cause: err },
  );
}

/** Below this much free space, an I/O error while writing is taken for a full disk. */
const LOW_SPACE_BYTES = 1024 * 1024;

function dataFolder(file: string): string {
  return file === ':memory:' ? file : dirname(file);
}

/** What an unprivileged writer may still use on the disk that holds the store, or undefined when unknown. */
function spaceLeft(file: string): { bytes: number; words: string } | undefined {
  if (file === ':memory:') return undefined;
  try {
    const s = statfsSync(dataFolder(file));
    const bytes = Number(s.bavail) * Number(s.bsize);
    return { bytes, words: `${Math.floor(bytes / 1024)} KB left` };
  } catch {
    return undefined;
  }
}

/** Runs `fn`, rethrowing SQLite's expected failures as FieldlineErrors. */
export function guard<T>(file: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    throw storeError(err, file);
  }
}

/** Opens (creating if needed) the SQLite file with the settings every Fieldline connection uses. */
export function openDatabase(file: string): Database.Database {
  return guard(file, () => {
    if (file !== ':memory:') prepareFile(file);
    const db = new Database(file);
    try {
      db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
      // Reading the schema first makes a file that is not a database fail here, as STORE_CORRUPT.
      db.prepare('SELECT count(*) FROM sqlite_schema').get();
      // WAL requires a local disk (not a network share): the data directory is per user, on the machine.
      if (file !== ':memory:') db.pragma('journal_mode = WAL');
      // FULL, not WAL's usual NORMAL: a saved run (and the outbox entry beside it) must survive a power cut, since
      // it is the only evidence of what was done to a device.
      db.pragma('synchronous = FULL');
      db.pragma('foreign_keys = ON');
      return db;
    } catch (err) {
      db.close();
      throw err;
    }
  });
}
