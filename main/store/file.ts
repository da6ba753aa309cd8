/** Where the store's SQLite file is: `fieldline.db` in the data directory. */
import { statSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** The store's file name inside the data directory. */
export const STORE_FILE = 'fieldline.db';

/**
 * The file for `location`: a data directory (it exists as a directory) gets STORE_FILE inside it; anything else is
 * the database file itself. `:memory:` is a private in-memory store (tests).
 */
export function storeFilePath(location: string): string {
  if (location === ':memory:') return location;
  const path = resolve(location);
  try {
    if (statSync(path).isDirectory()) return join(path, STORE_FILE);
  } catch {
    // Does not exist yet: a file to create.
  }
  return path;
}
