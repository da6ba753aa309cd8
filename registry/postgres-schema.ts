/**
 * The registry's PostgreSQL schema: its own migration history (the SQLite one is schema.ts), the versions applied
 * listed in fieldline_registry_schema. Applied at start under a session advisory lock, so registry processes
 * starting at once against one database take turns instead of racing to create the same tables.
 *
 * Differences from SQLite on purpose: times stay ISO-8601 UTC text, compared with the "C" collation (byte order =
 * time order, whatever the database's locale); a record's `outcome` and `replaces` are columns written with it, so
 * the replacement look-ups read an index, not JSON; `record` is text, not jsonb, since jsonb refuses a "\u0000"
 * that JSON (and the SQLite registry) allows, and duplicates are told from conflicts by comparing the exact text.
 */
import type pg from 'pg';
import { FieldlineError } from '../main/errors';

export interface PostgresMigration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

export const POSTGRES_MIGRATIONS: readonly PostgresMigration[] = [
  {
    version: 1,
    name: 'stations, tokens, station keys, devices, records, replacement links',
    sql: `
      CREATE TABLE stations (
        name       text PRIMARY KEY CHECK (name <> ''),
        created_at text NOT NULL
      );
      CREATE TABLE tokens (
        hash       text PRIMARY KEY CHECK (length(hash) = 64),
        station    text NOT NULL REFERENCES stations (name),
        created_at text NOT NULL
      );
      CREATE TABLE station_keys (
        key_id     text PRIMARY KEY,
        public_key text NOT NULL UNIQUE,
        station    text NOT NULL REFERENCES stations (name),
        created_at text NOT NULL
      );
      CREATE TABLE devices (
        serial     text PRIMARY KEY CHECK (serial <> ''),
        first_seen text COLLATE "C" NOT NULL,
        last_seen  text COLLATE "C" NOT NULL
      );
      -- seq is the receive sequence behind the since cursor; numbers are only taken under the registry's insert lock
      -- (postgres-repository.ts), so they become visible in order and a cursor never skips a later record.
      CREATE TABLE records (
        seq         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        id          text NOT NULL UNIQUE,
        serial      text NOT NULL REFERENCES devices (serial),
        station     text NOT NULL,
        received_at text NOT NULL,
        started_at  text COLLATE "C" NOT NULL,
        outcome     text NOT NULL,
        replaces    text,
        record      text NOT NULL
      );
      CREATE INDEX records_by_serial ON records (serial, started_at);
      CREATE INDEX records_by_replaces ON records (replaces, started_at) WHERE replaces IS NOT NULL;
    `,
  },
  {
    version: 2,
    name: 'signed releases: artifacts and channel releases (registry/releases.ts)',
    sql: `
      CREATE TABLE artifacts (
        sha256     text PRIMARY KEY CHECK (length(sha256) = 64),
        size       integer NOT NULL CHECK (size > 0),
        bytes      bytea NOT NULL,
        created_at text NOT NULL
      );
      CREATE TABLE releases (
        seq          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        channel      text NOT NULL,
        kind         text NOT NULL CHECK (kind IN ('profile', 'firmware')),
        name         text NOT NULL,
        version      text NOT NULL,
        sha256       text NOT NULL REFERENCES artifacts (sha256),
        size         integer NOT NULL,
        key_id       text NOT NULL,
        signature    text NOT NULL,
        public_key   text NOT NULL,
        station      text NOT NULL,
        published_at text NOT NULL,
        UNIQUE (channel, kind, name, version)
      );
      CREATE INDEX releases_by_channel ON releases (channel, seq);
    `,
  },
  {
    version: 3,
    name: 'station heartbeats, records by start time (registry/fleet.ts)',
    sql: `
      CREATE TABLE station_heartbeats (
        station   text PRIMARY KEY REFERENCES stations (name),
        last_seen text NOT NULL,
        heartbeat text NOT NULL
      );
      CREATE INDEX records_by_start ON records (started_at);
    `,
  },
  {
    version: 4,
    name: 'devices by site, service records, per-station revocation lists (issue #16)',
    // records.service: the record has a `service` section (a field-service record, not a provisioning run), a column
    // like outcome so the yields and the device look-ups filter on it without reading JSON. devices.site is the site
    // of the newest provisioning record that names one, site_at that record's start (see schema.ts, version 5). The
    // LIKE tests only skip parsing the records that cannot have the field.
    sql: `
      ALTER TABLE records ADD COLUMN service boolean NOT NULL DEFAULT false;
      UPDATE records SET service = true WHERE record LIKE '%"service"%' AND record::json -> 'service' IS NOT NULL;
      ALTER TABLE devices ADD COLUMN site text, ADD COLUMN site_at text COLLATE "C";
      UPDATE devices d SET site = s.site, site_at = s.started_at
        FROM (SELECT DISTINCT ON (serial) serial, record::json ->> 'site' AS site, started_at FROM records
               WHERE NOT service AND record LIKE '%"site"%' AND record::json ->> 'site' IS NOT NULL
               ORDER BY serial, started_at DESC, seq DESC) s
       WHERE d.serial = s.serial;
      CREATE INDEX devices_by_site ON devices (site, serial COLLATE "C") WHERE site IS NOT NULL;
      CREATE TABLE station_revocations (
        station    text PRIMARY KEY REFERENCES stations (name),
        issuer     text NOT NULL,
        updated_at text NOT NULL,
        entries    text NOT NULL
      );
    `,
  },
];

/** pg_advisory_lock's key for migrations: any constant of our own ("FLRG" + "MIGR" as bytes). */
const MIGRATION_LOCK = '5065631325425552722';

async function appliedVersion(client: pg.ClientBase, where: string, latest: number): Promise<number> {
  const table = await client.query<{ exists: boolean }>(`SELECT to_regclass('fieldline_registry_schema') IS NOT NULL AS exists`);
  if (!table.rows[0]?.exists) {
    const others = await client.query<{ n: string }>(`SELECT count(*) AS n FROM pg_tables WHERE schemaname = current_schema()`);
    if (Number(others.rows[0]?.n ?? 0) > 0) {
      throw new FieldlineError('INVALID_ARGUMENT', `${where} is not a Fieldline registry database (it holds other tables); give the registry a database of its own`);
    }
    return 0;
  }
  const version = Number((await client.query<{ v: number | null }>('SELECT max(version) AS v FROM fieldline_registry_schema')).rows[0]?.v ?? 0);
  if (version > latest) {
    throw new FieldlineError('INVALID_ARGUMENT', `${where} was written by a newer registry (schema ${version}; this one knows up to ${latest})`);
  }
  return version;
}

/** Brings the schema up to date; `where` names the database in messages (never with its password). */
export async function migratePostgres(client: pg.ClientBase, where: string): Promise<void> {
  const latest = POSTGRES_MIGRATIONS.length;
  await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
  try {
    // Read under the lock: another process may have migrated while this one waited.
    const current = await appliedVersion(client, where, latest);
    if (current === latest) return;
    await client.query('BEGIN');
    try {
      await client.query('CREATE TABLE IF NOT EXISTS fieldline_registry_schema (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())');
      for (const m of POSTGRES_MIGRATIONS.slice(current)) {
        await client.query(m.sql);
        await client.query('INSERT INTO fieldline_registry_schema (version, name) VALUES ($1, $2)', [m.version, m.name]);
      }
      await client.query('COMMIT');
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    }
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => undefined);
  }
}
