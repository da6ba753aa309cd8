/**
 * Runs, their steps and evidence, and the devices they were run on: the SQL behind Store.saveRun, getRun, listRuns
 * and lastRun. Each function takes an open connection; the Store decides the transactions.
 */
import type Database from 'better-sqlite3';
import type { RunRecord } from '../contract/run-record';
import { strictJson } from '../contract/json';
import type { ListRunsOptions, RunKind, RunSummary } from './types';

interface SummaryRow {
  id: string;
  serial: string;
  profile_name: string;
  profile_version: string;
  station: string;
  outcome: RunRecord['outcome'];
  started_at: string;
  ended_at: string;
  error_code: string | null;
}

const SUMMARY_COLUMNS = 'id, serial, profile_name, profile_version, station, outcome, started_at, ended_at, error_code';

function toSummary(row: SummaryRow): RunSummary {
  const summary: RunSummary = {
    id: row.id,
    serial: row.serial,
    profile: row.profile_name,
    profileVersion: row.profile_version,
    station: row.station,
    outcome: row.outcome,
    startedAt: row.started_at,
    endedAt: row.ended_at,
  };
  if (row.error_code !== null) summary.errorCode = row.error_code;
  return summary;
}

/**
 * Reads the record back. runs.record is JSON we wrote from a RunRecord (json_valid is checked by the schema), so
 * it is taken as one; the schema has no deeper check, and duplicating RunRecord as a zod schema here would drift.
 */
function parseRecord(text: string): RunRecord {
  return JSON.parse(text) as RunRecord;
}

/**
 * Prepared statements, kept per connection: compiling them again for every saved run was the largest single cost
 * of a save (a busy station saves runs back to back; the benchmark enqueues 100,000).
 */
const cache = new WeakMap<Database.Database, Map<string, Database.Statement>>();
export function statement(db: Database.Database, sql: string): Database.Statement {
  let statements = cache.get(db);
  if (!statements) cache.set(db, (statements = new Map()));
  let prepared = statements.get(sql);
  if (!prepared) statements.set(sql, (prepared = db.prepare(sql)));
  return prepared;
}

/** The device's row, recomputed from its runs: first and last seen, latest run and the firmware it left. */
function refreshDevice(db: Database.Database, serial: string): void {
  statement(
    db,
    `UPDATE devices SET
       first_seen = coalesce((SELECT min(started_at) FROM runs WHERE serial = $serial), first_seen),
       last_seen = coalesce((SELECT max(ended_at) FROM runs WHERE serial = $serial), last_seen),
       last_run_id = (SELECT id FROM runs WHERE serial = $serial ORDER BY started_at DESC, id DESC LIMIT 1),
       firmware = coalesce(
         (SELECT coalesce(record ->> '$.device.firmwareAfter', record ->> '$.device.firmwareBefore')
            FROM runs WHERE serial = $serial ORDER BY started_at DESC, id DESC LIMIT 1),
         firmware)
     WHERE serial = $serial`,
  ).run({ serial });
}

/**
 * Writes one run: upserts its device, upserts the run row (never deletes it, so rows that reference the run stay),
 * and replaces its steps and evidence. Call inside a transaction. Throws a TypeError for a record that would not
 * read back equal (NaN, a Uint8Array or a Date in the evidence) or has no device serial yet: both are bugs.
 */
export function writeRun(db: Database.Database, record: RunRecord): void {
  const serial = record.device.serial;
  if (!serial) throw new TypeError(`run ${record.id}: a run is saved once its device is identified (device.serial is empty)`);
  const json = strictJson(record, 'record');
  const stepEvidence = record.steps.map((step, i) => Object.entries(step.evidence).map(([key, value]) => ({
    key,
    value: value === undefined ? undefined : strictJson(value, `record.steps[${i}].evidence.${key}`),
  })));

  const before = statement(db, 'SELECT serial FROM runs WHERE id = ?').pluck().get(record.id) as string | undefined;
  statement(
    db,
    `INSERT INTO devices (serial, first_seen, last_seen) VALUES (?, ?, ?) ON CONFLICT (serial) DO NOTHING`,
  ).run(serial, record.startedAt, record.endedAt);
  statement(
    db,
    `INSERT INTO runs (id, serial, previous_run_id, profile_name, profile_version, profile_sha256, station, outcome,
                       started_at, ended_at, error_code, record)
     VALUES ($id, $serial, $previous, $profileName, $profileVersion, $profileSha256, $station, $outcome,
             $startedAt, $endedAt, $errorCode, $record)
     ON CONFLICT (id) DO UPDATE SET
       serial = excluded.serial, previous_run_id = excluded.previous_run_id, profile_name = excluded.profile_name,
       profile_version = excluded.profile_version, profile_sha256 = excluded.profile_sha256,
       station = excluded.station, outcome = excluded.outcome, started_at = excluded.started_at,
       ended_at = excluded.ended_at, error_code = excluded.error_code, record = excluded.record`,
  ).run({
    id: record.id,
    serial,
    previous: record.previousRunId ?? null,
    profileName: record.profile.name,
    profileVersion: record.profile.version,
    profileSha256: record.profile.sha256,
    station: record.station.name,
    outcome: record.outcome,
    startedAt: record.startedAt,
    endedAt: record.endedAt,
    errorCode: record.error?.code ?? null,
    record: json,
  });

  statement(db, 'DELETE FROM steps WHERE run_id = ?').run(record.id); // cascades to evidence
  const insertStep = statement(
    db,
    `INSERT INTO steps (run_id, idx, name, outcome, started_at, ended_at, error_code) VALUES (?, ?, ?, ?, ?, ?, ?)`,
  );
  const insertEvidence = statement(db, 'INSERT INTO evidence (run_id, step, key, value) VALUES (?, ?, ?, ?)');
  record.steps.forEach((step, i) => {
    insertStep.run(record.id, i, step.name, step.outcome, step.startedAt, step.endedAt, step.error?.code ?? null);
    for (const { key, value } of stepEvidence[i] ?? []) {
      if (value !== undefined) insertEvidence.run(record.id, i, key, value);
    }
  });

  refreshDevice(db, serial);
  // A run saved again under another serial (a mis-identified device, corrected) leaves its old device's row right.
  if (before !== undefined && before !== serial) refreshDevice(db, before);
}

export function readRun(db: Database.Database, id: string): RunRecord | undefined {
  const text = db.prepare('SELECT record FROM runs WHERE id = ?').pluck().get(id) as string | undefined;
  return text === undefined ? undefined : parseRecord(text);
}

/**
 * SQL that keeps the runs of one kind. Records are compact JSON (strictJson), so one with a `service` section holds the
 * text `"service":`; the cheap substring test spares parsing every other record, and the JSON test settles the few
 * that hold it elsewhere (an evidence key named service).
 */
const KIND_SQL: Record<RunKind, string> = {
  provisioning: `(instr(record, '"service":') = 0 OR record ->> '$.service' IS NULL)`,
  service: `(instr(record, '"service":') > 0 AND record ->> '$.service' IS NOT NULL)`,
};

/** The device's most recent run (by start time), whatever its outcome; of one kind only when `kind` is given. */
export function readLastRun(db: Database.Database, serial: string, kind?: RunKind): RunRecord | undefined {
  const text = statement(db, `SELECT record FROM runs WHERE serial = ? ${kind ? `AND ${KIND_SQL[kind]}` : ''} ORDER BY started_at DESC, id DESC LIMIT 1`)
    .pluck()
    .get(serial) as string | undefined;
  return text === undefined ? undefined : parseRecord(text);
}

/** An instant as run records write it (toISOString); text that is not one is kept, and matches as text. */
function asRecordTime(instant: string): string {
  const ms = Date.parse(instant);
  return Number.isNaN(ms) ? instant : new Date(ms).toISOString();
}

/** Runs, newest first. */
export function selectRuns(db: Database.Database, options: ListRunsOptions = {}): RunSummary[] {
  const where: string[] = [];
  const params: Record<string, string | number> = {};
  if (options.serial !== undefined) {
    where.push('serial = $serial');
    params.serial = options.serial;
  }
  if (options.serialPrefix !== undefined) {
    // substr, not LIKE, as for ids below: a serial may contain % or _.
    where.push('substr(serial, 1, length($serialPrefix)) = $serialPrefix');
    params.serialPrefix = options.serialPrefix;
  }
  if (options.idPrefix !== undefined) {
    // substr, not LIKE: an id may contain % or _, which LIKE would read as wildcards.
    where.push('substr(id, 1, length($prefix)) = $prefix');
    params.prefix = options.idPrefix;
  }
  if (options.outcome !== undefined) {
    where.push('outcome = $outcome');
    params.outcome = options.outcome;
  }
  if (options.kind !== undefined) where.push(KIND_SQL[options.kind]);
  if (options.profile !== undefined) {
    where.push('profile_name = $profile');
    params.profile = options.profile;
  }
  // Run records carry toISOString() times (UTC, fixed width), so text order is time order: the bounds are put in the
  // same form first (an instant with an offset, or without milliseconds, would otherwise compare as text wrongly).
  if (options.startedSince !== undefined) {
    where.push('started_at >= $since');
    params.since = asRecordTime(options.startedSince);
  }
  if (options.startedBefore !== undefined) {
    where.push('started_at < $before');
    params.before = asRecordTime(options.startedBefore);
  }
  // A negative LIMIT is "no limit" to SQLite.
  params.limit = options.limit ?? -1;
  const rows = db
    .prepare(
      `SELECT ${SUMMARY_COLUMNS} FROM runs ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
       ORDER BY started_at DESC, id DESC LIMIT $limit`,
    )
    .all(params) as SummaryRow[];
  return rows.map(toSummary);
}
