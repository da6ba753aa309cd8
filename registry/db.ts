/**
 * Opening the registry's database file. The connection settings are the station store's (main/shared/sqlite.ts:
 * owner-only file, WAL, busy_timeout, synchronous FULL — an acknowledged record must survive a power cut, since the
 * station deletes its copy once acknowledged); the schema is the registry's own (schema.ts).
 */
import type Database from 'better-sqlite3';
import { FieldlineError, isFieldlineError } from '../main/errors';
import { openDatabase } from '../main/shared/sqlite';
import { migrateRegistry } from './schema';

export type RegistryDb = Database.Database;

/** Default file of `fieldline registry serve` and friends, in the current folder. */
export const DEFAULT_REGISTRY_DB = 'registry.db';

/**
 * openDatabase() words its failures for a station's data directory; the registry's file is an operator's --db,
 * so a file that is not a database, or cannot be opened, is said so about that path.
 */
function registryOpenError(err: unknown, file: string): unknown {
  if (isFieldlineError(err, 'STORE_CORRUPT')) return new FieldlineError('INVALID_ARGUMENT', `${file} is not a Fieldline registry database`, {}, { cause: err });
  if (isFieldlineError(err, 'STORE_UNAVAILABLE')) return new FieldlineError('INVALID_ARGUMENT', `cannot open the registry database ${err.message}`, {}, { cause: err });
  return err;
}

export function openRegistryDb(file: string): RegistryDb {
  let db: RegistryDb;
  try {
    db = openDatabase(file);
  } catch (err) {
    throw registryOpenError(err, file);
  }
  try {
    migrateRegistry(db);
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}

/** Runs `fn` on `dbOrFile`: an open database as is, a file path opened for the call and closed after. */
export function withRegistryDb<T>(dbOrFile: RegistryDb | string, fn: (db: RegistryDb) => T): T {
  if (typeof dbOrFile !== 'string') return fn(dbOrFile);
  const db = openRegistryDb(dbOrFile);
  try {
    return fn(db);
  } finally {
    db.close();
  }
}
