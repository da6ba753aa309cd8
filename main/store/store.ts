/**
 * openStore(): the local store on SQLite, as the Store interface. It assembles the parts (connection, migrations,
 * runs, audit) and owns the transactions: every write is one IMMEDIATE transaction, which takes the write lock at
 * its start — a transaction that read first and wrote later could fail with SQLITE_BUSY no busy timeout can cure,
 * when the desktop app wrote in between.
 */
import type Database from 'better-sqlite3';
import type { RunRecord } from '../contract/run-record';
import { appendEntry, verifyChain, type AuditInput } from './audit';
import { currentProcess, selectCertificates, selectUnfinishedRuns, writeCertificate, writeOwner } from './certificates';
import { guard, openDatabase } from '../shared/sqlite';
import { storeFilePath } from './file';
import { checkAfterOpen, checkBeforeOpen, markIfHoldsData } from './marker';
import { migrate, type Migration, MIGRATIONS } from './migrations';
import { enqueueFinishedRun } from './outbox-enqueue';
import { readLastRun, readRun, selectRuns, writeRun } from './runs';
import { selectLinks, writeReplacement } from './replacements';
import type { AuditEntry, Store } from './types';

export interface StoreOptions {
  /** Clock of the audit timestamps (tests). */
  now?: () => Date;
  /**
   * Queue finished runs for the registry in the same transaction as the run (outbox-enqueue.ts).
   * Default true: every store the pipeline, the CLI and the app open queues them. false only for tests that
   * build a schema without the outbox (`migrations`).
   */
  outbox?: boolean;
  /**
   * Further writes that belong to the same transaction as a saved run, after the run's rows and its outbox row
   * are written; if it throws, the whole save is rolled back.
   */
  onRunSaved?: (db: Database.Database, record: RunRecord) => void;
  /** The schema to bring the file to (tests); default MIGRATIONS. */
  migrations?: readonly Migration[];
}

export interface SqliteStore extends Store {
  /** The SQLite file, or `:memory:`. */
  readonly file: string;
  /** The connection, for the parts that keep their own tables in the store (the outbox). */
  readonly db: Database.Database;
  /**
   * Calls `listener` after this store queued a finished run (a drainer wakes up instead of waiting for its next
   * poll); returns the unsubscribe function. Runs queued by another connection are found by the drainer's poll.
   */
  onRunQueued(listener: () => void): () => void;
}

/**
 * Opens the store at `location` — a data directory (the file is `fieldline.db` in it) or a database file — creating
 * and migrating it as needed. Throws FieldlineError STORE_TOO_NEW, STORE_CORRUPT, STORE_BUSY, STORE_DISK_FULL,
 * STORE_UNAVAILABLE, or STORE_MISSING for a store that held data and is now gone or empty (main/store/marker.ts).
 */
export function openStore(location: string, options: StoreOptions = {}): SqliteStore {
  const file = storeFilePath(location);
  checkBeforeOpen(file);
  const db = openDatabase(file);
  // Whether the marker is on disk; a store from before markers gets one on its first open.
  let marked: boolean;
  try {
    guard(file, () => {
      checkAfterOpen(db, file);
      migrate(db, options.migrations ?? MIGRATIONS);
    });
    marked = markIfHoldsData(db, file);
  } catch (err) {
    db.close();
    throw err;
  }
  const now = options.now ?? (() => new Date());
  const onRunSaved = options.onRunSaved;
  const outbox = options.outbox ?? true;
  // Tests may build an older schema (options.migrations): the register comes with migration 3.
  const register = db.prepare(`SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'certificates'`).get() !== undefined;
  const links = db.prepare(`SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'replacements'`).get() !== undefined;

  // The process that owns this store's running runs, read once: every save of a step writes it.
  const owner = currentProcess();
  // Owned by this store: two stores in one process (two data directories) do not wake each other's drainers.
  const queuedListeners = new Set<() => void>();
  let queued = false;
  const save = db.transaction((record: RunRecord, audit: readonly AuditInput[]) => {
    writeRun(db, record);
    if (register) {
      writeCertificate(db, record, now().toISOString());
      writeOwner(db, record, owner);
    }
    if (links) writeReplacement(db, record);
    if (outbox) queued = enqueueFinishedRun(db, record, now);
    onRunSaved?.(db, record);
    for (const entry of audit) appendEntry(db, entry, now().toISOString());
  });
  const append = db.transaction((input: AuditInput): AuditEntry => appendEntry(db, input, now().toISOString()));

  return {
    file,
    db,
    saveRun: (record, audit = []) =>
      guard(file, () => {
        queued = false;
        save.immediate(record, audit);
        marked ||= markIfHoldsData(db, file);
        // Committed: the listeners are told on the next turn, never inside the caller's save.
        if (queued && queuedListeners.size > 0) setImmediate(() => queuedListeners.forEach((listener) => listener()));
      }),
    onRunQueued: (listener) => {
      queuedListeners.add(listener);
      return () => queuedListeners.delete(listener);
    },
    getRun: (id) => guard(file, () => readRun(db, id)),
    listRuns: (listOptions) => guard(file, () => selectRuns(db, listOptions)),
    lastRun: (serial, kind) => guard(file, () => readLastRun(db, serial, kind)),
    listCertificates: (filter) => guard(file, () => selectCertificates(db, filter)),
    listUnfinishedRuns: (deviceSerial) => guard(file, () => selectUnfinishedRuns(db, deviceSerial)),
    deviceLinks: (serial) => guard(file, () => (links ? selectLinks(db, serial) : {})),
    appendAudit: (entry) =>
      guard(file, () => {
        const appended = append.immediate(entry);
        marked ||= markIfHoldsData(db, file);
        return appended;
      }),
    verifyAudit: () => guard(file, () => verifyChain(db)),
    close: () => {
      if (db.open) db.close();
    },
  };
}
