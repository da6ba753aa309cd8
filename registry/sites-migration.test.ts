/**
 * A database written before issue #16, migrated on each engine: devices get the site of their newest provisioning
 * record naming one (service records never count), PostgreSQL's records learn which are service records, and the
 * site listing, the device reply and the yields read the migrated rows as they read new ones.
 */
import Database from 'better-sqlite3';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import type { RunRecord } from '../main/contract/run-record';
import { acquireTestDatabase, postgresUnavailable } from '../main/testing/postgres';
import { registryRunRecord } from '../main/testing/registry';
import { openRegistryDb } from './db';
import { PostgresRepository } from './postgres-repository';
import { POSTGRES_MIGRATIONS } from './postgres-schema';
import { PostgresFleetRepository } from './fleet-postgres';
import { SqliteFleetRepository } from './fleet-sqlite';
import type { RegistryRepository } from './repository';
import { REGISTRY_APPLICATION_ID, REGISTRY_MIGRATIONS } from './schema';
import { SqliteRepository } from './sqlite-repository';
import type { FleetRepository } from './fleet-repository';

const service = { action: 'diagnose' as const, operator: 'ana', before: {}, after: {} };
const at = (day: number): string => `2026-12-0${day}T08:00:00.000Z`;
const rec = (serial: string, day: number, extra: Partial<RunRecord> = {}): RunRecord => ({ ...registryRunRecord({ serial, startedAt: at(day), outcome: 'passed' }), station: { name: 'line-1' }, ...extra });

/** What an older registry held: rows as it wrote them, with no site or service columns. */
const OLD = [
  rec('GW-M-1', 1, { site: 'berlin-1' }),
  rec('GW-M-1', 2, { site: 'munich-2', service }),
  rec('GW-M-2', 1, { site: 'munich-2' }),
  rec('GW-M-2', 3),
  rec('GW-M-3', 1),
];

async function expectMigrated(repository: RegistryRepository, fleet: FleetRepository): Promise<void> {
  expect((await repository.devicesAtSite('berlin-1', '', 10)).devices.map((d) => [d.serial, d.latestRun.id])).toEqual([['GW-M-1', OLD[0]!.id]]);
  expect((await repository.devicesAtSite('munich-2', '', 10)).devices.map((d) => [d.serial, d.latestRun.id])).toEqual([['GW-M-2', OLD[3]!.id]]);
  const one = await repository.device('GW-M-1');
  expect(one?.site).toBe('berlin-1');
  expect(one?.runs.map((r) => r.id)).toEqual([OLD[0]!.id]);
  expect(one?.serviceRecords.map((r) => r.id)).toEqual([OLD[1]!.id]);
  expect((await repository.device('GW-M-3'))?.site).toBeUndefined();
  const figures = await fleet.yields('2026-12-01T00:00:00.000Z', '2026-12-05T00:00:00.000Z', 10);
  expect(figures.byStation).toEqual([{ station: 'line-1', passed: 4, failed: 0, total: 4 }]);
}

describe('the SQLite registry', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  it('migrates a schema-4 database: sites from the provisioning records held', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'fieldline-regmig-'));
    dirs.push(dir);
    const file = join(dir, 'registry.db');
    const raw = new Database(file);
    for (const m of REGISTRY_MIGRATIONS.slice(0, 4)) raw.exec(m.sql);
    raw.pragma('user_version = 4');
    raw.pragma(`application_id = ${REGISTRY_APPLICATION_ID}`);
    raw.prepare(`INSERT INTO stations (name, created_at) VALUES ('line-1', ?)`).run(at(1));
    for (const r of OLD) {
      raw.prepare('INSERT INTO devices (serial, first_seen, last_seen) VALUES (?, ?, ?) ON CONFLICT DO UPDATE SET last_seen = excluded.last_seen').run(r.device.serial, r.startedAt, r.endedAt);
      raw.prepare('INSERT INTO records (id, serial, station, received_at, started_at, record) VALUES (?, ?, ?, ?, ?, ?)').run(r.id, r.device.serial, 'line-1', at(4), r.startedAt, JSON.stringify(r));
    }
    raw.close();

    const db = openRegistryDb(file);
    try {
      expect(db.pragma('user_version', { simple: true })).toBe(REGISTRY_MIGRATIONS.length);
      await expectMigrated(new SqliteRepository(db), new SqliteFleetRepository(db));
    } finally {
      db.close();
    }
  });
});

const unavailable = postgresUnavailable();

describe.skipIf(unavailable !== undefined)(`the PostgreSQL registry${unavailable ? ` (skipped: ${unavailable})` : ''}`, () => {
  it('migrates a schema-3 database: service records marked, sites from the provisioning records held', async () => {
    const database = await acquireTestDatabase();
    try {
      const client = new pg.Client({ connectionString: database.url });
      await client.connect();
      try {
        await client.query('CREATE TABLE fieldline_registry_schema (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())');
        for (const m of POSTGRES_MIGRATIONS.slice(0, 3)) {
          await client.query(m.sql);
          await client.query('INSERT INTO fieldline_registry_schema (version, name) VALUES ($1, $2)', [m.version, m.name]);
        }
        await client.query(`INSERT INTO stations (name, created_at) VALUES ('line-1', $1)`, [at(1)]);
        for (const r of OLD) {
          await client.query('INSERT INTO devices (serial, first_seen, last_seen) VALUES ($1, $2, $3) ON CONFLICT (serial) DO UPDATE SET last_seen = excluded.last_seen', [r.device.serial, r.startedAt, r.endedAt]);
          await client.query('INSERT INTO records (id, serial, station, received_at, started_at, outcome, replaces, record) VALUES ($1, $2, $3, $4, $5, $6, NULL, $7)', [r.id, r.device.serial, 'line-1', at(4), r.startedAt, r.outcome, JSON.stringify(r)]);
        }
      } finally {
        await client.end();
      }
      const repository = await PostgresRepository.open(database.url);
      try {
        await expectMigrated(repository, new PostgresFleetRepository(repository.pool));
      } finally {
        await repository.close();
      }
    } finally {
      await database.release();
    }
  }, 60_000);
});
