/**
 * Replacement links (`fieldline replace`): the SQL behind the `replacements` table (migration 4). A link is written in
 * the transaction that saves the replacing run's final record, and only when that record is passed and names the
 * unit it `replaces` — which the replacement sets only once the old unit's certificate is revoked. So a failed or
 * unfinished replacement leaves no link. Call inside the store's transaction.
 */
import type Database from 'better-sqlite3';
import type { RunRecord } from '../contract/run-record';
import type { DeviceLinks } from './types';

export function writeReplacement(db: Database.Database, record: RunRecord): void {
  if (record.outcome !== 'passed' || record.replaces === undefined) return;
  db.prepare(
    `INSERT INTO replacements (run_id, old_serial, new_serial, replaced_at) VALUES (?, ?, ?, ?)
     ON CONFLICT (run_id) DO NOTHING`,
  ).run(record.id, record.replaces, record.device.serial, record.endedAt);
}

/** Both directions for one serial; the newest link wins if a unit was ever replaced (or replaced one) twice. */
export function selectLinks(db: Database.Database, serial: string): DeviceLinks {
  const replaces = db
    .prepare(`SELECT old_serial FROM replacements WHERE new_serial = ? ORDER BY replaced_at DESC LIMIT 1`)
    .pluck()
    .get(serial) as string | undefined;
  const replacedBy = db
    .prepare(`SELECT new_serial FROM replacements WHERE old_serial = ? ORDER BY replaced_at DESC LIMIT 1`)
    .pluck()
    .get(serial) as string | undefined;
  return { ...(replaces !== undefined ? { replaces } : {}), ...(replacedBy !== undefined ? { replacedBy } : {}) };
}
