/**
 * Station names: chosen by the registry administrator (`registry token create --station NAME`), then stamped on
 * every record the station's token uploads (receivedFrom) and matched against offline bundle manifests.
 */
import { FieldlineError } from '../main/errors';
import type { RegistryDb } from './db';

/** Printable, no surrounding blanks, at most 200 characters (the bundle manifest's own bound). */
const STATION_NAME = /^[^\s\p{Cc}](?:[^\p{Cc}]{0,198}[^\s\p{Cc}])?$/u;

export function checkStationName(name: string): string {
  if (!STATION_NAME.test(name)) {
    throw new FieldlineError('INVALID_ARGUMENT', `station name must be 1–200 printable characters without surrounding blanks, not ${JSON.stringify(name)}`);
  }
  return name;
}

/** Creates the station row if it is new; a no-op otherwise. Call inside the caller's transaction. */
export function ensureStation(db: RegistryDb, name: string, at: Date): void {
  db.prepare('INSERT OR IGNORE INTO stations (name, created_at) VALUES (?, ?)').run(checkStationName(name), at.toISOString());
}
