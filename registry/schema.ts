/**
 * The registry's own SQLite schema, kept apart from the station store's (main/store/migrations.ts) although it
 * follows the same pattern: numbered migrations, `PRAGMA user_version` = the last one applied, all missing ones in
 * one transaction. Its own `application_id` ("FLRG") means a station's fieldline.db given as --db is refused
 * instead of having registry tables added to it, and the other way round.
 */
import type Database from 'better-sqlite3';
import { FieldlineError } from '../main/errors';

export const REGISTRY_APPLICATION_ID = 0x464c5247;

export interface RegistryMigration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

export const REGISTRY_MIGRATIONS: readonly RegistryMigration[] = [
  {
    version: 1,
    name: 'stations, tokens, station keys, devices, records',
    // STRICT so a wrong type is an error, not a conversion. Times are ISO-8601 UTC text (sorts as time).
    // records.seq is the receive sequence behind the `since` cursor: AUTOINCREMENT, so a number is never reused
    // even after the newest rows are deleted by hand, and a cursor a client holds never skips a later record.
    // records.id (the run id) is UNIQUE: that constraint, not a read-then-write check, is what keeps concurrent
    // uploads of the same record from storing it twice (INSERT OR IGNORE).
    sql: `
      CREATE TABLE stations (
        name       TEXT PRIMARY KEY NOT NULL CHECK (name <> ''),
        created_at TEXT NOT NULL
      ) STRICT;

      -- Only the SHA-256 of a token is kept: a copy of this file does not let anyone upload.
      CREATE TABLE tokens (
        hash       TEXT PRIMARY KEY NOT NULL CHECK (length(hash) = 64),
        station    TEXT NOT NULL REFERENCES stations (name),
        created_at TEXT NOT NULL
      ) STRICT;

      CREATE TABLE station_keys (
        key_id     TEXT PRIMARY KEY NOT NULL,
        public_key TEXT NOT NULL UNIQUE,
        station    TEXT NOT NULL REFERENCES stations (name),
        created_at TEXT NOT NULL
      ) STRICT;

      CREATE TABLE devices (
        serial     TEXT PRIMARY KEY NOT NULL CHECK (serial <> ''),
        first_seen TEXT NOT NULL,
        last_seen  TEXT NOT NULL
      ) STRICT;

      CREATE TABLE records (
        seq         INTEGER PRIMARY KEY AUTOINCREMENT,
        id          TEXT NOT NULL UNIQUE,
        serial      TEXT NOT NULL REFERENCES devices (serial),
        station     TEXT NOT NULL,
        received_at TEXT NOT NULL,
        started_at  TEXT NOT NULL,
        record      TEXT NOT NULL CHECK (json_valid(record))
      ) STRICT;
      CREATE INDEX records_by_serial ON records (serial, started_at);
    `,
  },
  {
    version: 2,
    name: 'replacement links (fieldline replace)',
    // A device's `replacedBy` is the device of a record whose `replaces` names it: without this index, every device
    // look-up would read every record's JSON. Partial, so it holds only the few records that replace a unit.
    sql: `
      CREATE INDEX records_by_replaces ON records (record ->> '$.replaces', started_at) WHERE record ->> '$.replaces' IS NOT NULL;
    `,
  },
  {
    version: 3,
    name: 'signed releases: artifacts and channel releases (registry/releases.ts)',
    // One release per channel, kind, name and version: re-publishing the same artifact is a duplicate, another one
    // a conflict. seq is the cursor of a channel's feed (AUTOINCREMENT: never reused).
    sql: `
      CREATE TABLE artifacts (
        sha256     TEXT PRIMARY KEY NOT NULL CHECK (length(sha256) = 64),
        size       INTEGER NOT NULL CHECK (size > 0),
        bytes      BLOB NOT NULL,
        created_at TEXT NOT NULL
      ) STRICT;

      CREATE TABLE releases (
        seq          INTEGER PRIMARY KEY AUTOINCREMENT,
        channel      TEXT NOT NULL,
        kind         TEXT NOT NULL CHECK (kind IN ('profile', 'firmware')),
        name         TEXT NOT NULL,
        version      TEXT NOT NULL,
        sha256       TEXT NOT NULL REFERENCES artifacts (sha256),
        size         INTEGER NOT NULL,
        key_id       TEXT NOT NULL,
        signature    TEXT NOT NULL,
        public_key   TEXT NOT NULL,
        station      TEXT NOT NULL,
        published_at TEXT NOT NULL,
        UNIQUE (channel, kind, name, version)
      ) STRICT;
      CREATE INDEX releases_by_channel ON releases (channel, seq);
    `,
  },
  {
    version: 4,
    name: 'station heartbeats, records by start time (registry/fleet.ts)',
    // Only the latest heartbeat per station is kept; the yield of a period reads records by their start time.
    sql: `
      CREATE TABLE station_heartbeats (
        station   TEXT PRIMARY KEY NOT NULL REFERENCES stations (name),
        last_seen TEXT NOT NULL,
        heartbeat TEXT NOT NULL CHECK (json_valid(heartbeat))
      ) STRICT;
      CREATE INDEX records_by_start ON records (started_at);
    `,
  },
  {
    version: 5,
    name: 'devices by site, per-station revocation lists (issue #16)',
    // devices.site is the site of the device's newest provisioning record that names one (a record with a `service`
    // section is a field-service record, not a provisioning run), kept up to date as records arrive; site_at is that
    // record's start, so a record received late but started earlier does not move the device back. Filled here from
    // the records already held. A revocation list is kept whole, as JSON: it is always replaced and read whole.
    sql: `
      ALTER TABLE devices ADD COLUMN site TEXT;
      ALTER TABLE devices ADD COLUMN site_at TEXT;
      UPDATE devices SET (site, site_at) = (
        SELECT r.record ->> '$.site', r.started_at FROM records r
         WHERE r.serial = devices.serial AND r.record ->> '$.site' IS NOT NULL AND r.record ->> '$.service' IS NULL
         ORDER BY r.started_at DESC, r.seq DESC LIMIT 1
      );
      CREATE INDEX devices_by_site ON devices (site, serial) WHERE site IS NOT NULL;

      CREATE TABLE station_revocations (
        station    TEXT PRIMARY KEY NOT NULL REFERENCES stations (name),
        issuer     TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        entries    TEXT NOT NULL CHECK (json_valid(entries))
      ) STRICT;
    `,
  },
];

function pragmaNumber(db: Database.Database, name: string): number {
  return Number(db.pragma(name, { simple: true }));
}

/** Not a FieldlineError code of its own: the operator chose the --db path, so INVALID_ARGUMENT says it. */
function checkUsable(db: Database.Database, latest: number): number {
  const appId = pragmaNumber(db, 'application_id');
  const version = pragmaNumber(db, 'user_version');
  if (appId !== REGISTRY_APPLICATION_ID) {
    const objects = Number(db.prepare('SELECT count(*) FROM sqlite_schema').pluck().get());
    if (appId !== 0 || version !== 0 || objects !== 0) {
      throw new FieldlineError('INVALID_ARGUMENT', `${db.name} is not a Fieldline registry database (another program's, or a station store)`);
    }
  }
  if (version > latest) {
    throw new FieldlineError('INVALID_ARGUMENT', `${db.name} was written by a newer registry (schema ${version}; this one knows up to ${latest})`);
  }
  return version;
}

/** Brings the registry schema up to date; safe when two processes open a new file at once (re-checked under the lock). */
export function migrateRegistry(db: Database.Database): void {
  const latest = REGISTRY_MIGRATIONS.length;
  if (checkUsable(db, latest) === latest) return;
  db.transaction(() => {
    const current = checkUsable(db, latest);
    for (const m of REGISTRY_MIGRATIONS.slice(current)) {
      db.exec(m.sql);
      db.pragma(`user_version = ${m.version}`);
    }
    db.pragma(`application_id = ${REGISTRY_APPLICATION_ID}`);
  }).immediate();
}
