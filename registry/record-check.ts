/**
 * One uploaded record, from untrusted JSON to the exact text the registry stores: checked against the edge schema
 * (registryRunRecordSchema: bounds, dates, lower-case ids, serials), stamped with the station of the token that sent
 * it, and encoded as canonical JSON (keys sorted) — so "the same record" means the same bytes, and a duplicate can be
 * told from a conflict by comparing text.
 */
import type { RunRecord } from '../main/contract/run-record';
import { canonicalJson } from '../main/contract/json';
import { RECORD_BOUNDS, registryRunRecordSchema, type RecordRejectionCode } from '../main/contract/registry/api';
import { describeZod } from './http';

export type CheckedRecord =
  | { ok: true; record: RunRecord; json: string; startedAt: string; endedAt: string }
  | { ok: false; code: RecordRejectionCode; reason: string };

const MAX_REASON = 1000;

/** ISO-8601 with any zone as UTC with milliseconds, so stored times sort as text (the schema checked they parse). */
function utc(time: string): string {
  return new Date(Date.parse(time)).toISOString();
}

/**
 * The station is the token's, whatever the record claims: a token of station B cannot file runs under A's name.
 * The claimed name is not kept anywhere: a station's own name for itself (its host name, by default) is not
 * something the registry can vouch for.
 */
export function stamp<T extends { station: { name: string } }>(record: T, station: string): T {
  return { ...record, station: { name: station } };
}

export function checkRecord(item: unknown, station: string): CheckedRecord {
  const parsed = registryRunRecordSchema.safeParse(item);
  if (!parsed.success) return { ok: false, code: 'RECORD_INVALID', reason: describeZod(parsed.error, 'record').slice(0, MAX_REASON) };
  const record = stamp(parsed.data, station);
  // Safe to encode: the schema bounded every free-form value's depth, so the encoder's recursion is shallow.
  const json = canonicalJson(record);
  const bytes = Buffer.byteLength(json);
  if (bytes > RECORD_BOUNDS.recordBytes) {
    return { ok: false, code: 'PAYLOAD_TOO_LARGE', reason: `the record is ${bytes} bytes as stored; at most ${RECORD_BOUNDS.recordBytes}` };
  }
  const startedAt = utc(record.startedAt);
  const endedAt = record.endedAt === '' ? startedAt : utc(record.endedAt);
  return { ok: true, record, json, startedAt, endedAt: endedAt > startedAt ? endedAt : startedAt };
}

/** A stored row as the record it is now: the station of the row stamped over whatever an earlier registry kept. */
export function storedRecord(row: { station: string; record: string }): RunRecord {
  return stamp(JSON.parse(row.record) as RunRecord, row.station);
}

/**
 * Does the stored row hold this very record? Compared as the row's station would have stored it: a record already
 * held is the same run whichever station sends it again (a bundle's records carried in by another station, a queue
 * retried after an export), and it stays credited to the station that sent it first — nothing stored changes, so
 * another station's token gains nothing by it. Rows written since the edge check hold canonical JSON, compared as
 * is; older rows (another key order, the claimed station) are brought to the same form first.
 */
export function holdsSame(row: { station: string; record: string }, checked: { record: RunRecord; json: string; station: string }): boolean {
  const json = row.station === checked.station ? checked.json : canonicalJson(stamp(checked.record, row.station));
  return row.record === json || canonicalJson(storedRecord(row)) === json;
}

/** Words for a conflict: which top-level fields differ (names only — never another station's values). */
export function conflictReason(row: { station: string; record: string }, record: RunRecord): string {
  const held = storedRecord(row) as unknown as Record<string, unknown>;
  const sent = stamp(record, row.station) as unknown as Record<string, unknown>;
  const fields = [...new Set([...Object.keys(held), ...Object.keys(sent)])].sort();
  const differing = fields.filter((f) => (held[f] === undefined ? undefined : canonicalJson(held[f])) !== (sent[f] === undefined ? undefined : canonicalJson(sent[f])));
  const shown = differing.length > 5 ? [...differing.slice(0, 5), '…'] : differing;
  return `another record is stored under this id (it differs in ${shown.join(', ')}); the stored one is kept`;
}
