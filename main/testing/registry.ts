/**
 * A reference registry for tests: a free port on loopback, a token for station 'test-station', and its own data —
 * a SQLite file in a temporary folder (the default), or a fresh database on a throwaway PostgreSQL
 * (main/testing/postgres.ts). close() stops it and removes what it made.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { RunRecord } from '../contract/run-record';
import { registerKey as registerStationKey, registerKeyIn, type RegisteredKey } from '../../registry/keys';
import type { RegistryEngine } from '../../registry/repository';
import { startRegistry, type RunningRegistry, type RunningSqliteRegistry, type StartRegistryOptions } from '../../registry/server';
import { createToken as createStationToken, issueToken } from '../../registry/tokens';
import { acquireTestDatabase, postgresUnavailable } from './postgres';
import { sampleRunRecord, type SampleRunOptions } from './run-records';

export const TEST_STATION = 'test-station';

/** What a test may do with a registry on either engine. */
export interface EngineTestRegistry {
  engine: RegistryEngine;
  url: string;
  port: number;
  /** Bearer token of station 'test-station'. */
  token: string;
  registry: RunningRegistry;
  close(): Promise<void>;
  addToken(station: string): Promise<string>;
  /** Registers an Ed25519 public key (SPKI DER, base64) for `station`, as `registry station add-key` does. */
  addKey(station: string, publicKeyBase64: string): Promise<RegisteredKey>;
  /** Rows of a query written with `?` placeholders, run on either engine (column names as written). */
  query(sql: string, params?: readonly unknown[]): Promise<Array<Record<string, unknown>>>;
  /** The first column of each row of query(); a bigint (PostgreSQL's count(*)) as a number, as on SQLite. */
  column(sql: string, params?: readonly unknown[]): Promise<unknown[]>;
  /** Runs statements in the engine's own dialect (a test's trigger, say). */
  exec(sql: string): Promise<void>;
}

/** A registry on SQLite, whose database and synchronous helpers the older tests use. */
export interface TestRegistry extends EngineTestRegistry {
  engine: 'sqlite';
  dbFile: string;
  registry: RunningSqliteRegistry;
  createToken(station: string): string;
  registerKey(station: string, publicKeyBase64: string): RegisteredKey;
}

export type TestRegistryOptions = Omit<StartRegistryOptions, 'dbFile' | 'host' | 'database' | 'postgres'>;

const firstColumn = (rows: Array<Record<string, unknown>>): unknown[] => rows.map((row) => Object.values(row)[0]);

function registerOrThrow(result: Awaited<ReturnType<typeof registerKeyIn>>): RegisteredKey {
  if ('conflict' in result) throw new Error(`key already registered to station "${result.conflict}"`);
  return result;
}

export async function startTestRegistry(options: TestRegistryOptions = {}): Promise<TestRegistry> {
  const dir = await mkdtemp(join(tmpdir(), 'fieldline-registry-'));
  const dbFile = join(dir, 'registry.db');
  let registry: RunningSqliteRegistry;
  try {
    registry = await startRegistry({ ...options, dbFile, host: '127.0.0.1' });
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
  const { db, repository } = registry;
  const query = async (sql: string, params: readonly unknown[] = []): Promise<Array<Record<string, unknown>>> =>
    db.prepare(sql).all(...params) as Array<Record<string, unknown>>;
  return {
    engine: 'sqlite',
    url: registry.url,
    port: registry.port,
    token: createStationToken(db, TEST_STATION),
    dbFile,
    registry,
    close: async () => {
      await registry.close();
      await rm(dir, { recursive: true, force: true });
    },
    createToken: (station) => createStationToken(db, station),
    registerKey: (station, publicKeyBase64) => registerOrThrow(registerStationKey(db, station, publicKeyBase64)),
    addToken: (station) => issueToken(repository, station),
    addKey: async (station, publicKeyBase64) => registerOrThrow(await registerKeyIn(repository, station, publicKeyBase64)),
    query,
    column: async (sql, params) => firstColumn(await query(sql, params)),
    exec: async (sql) => void db.exec(sql),
  };
}

/** A registry on a fresh database of this test process's throwaway PostgreSQL (or FIELDLINE_TEST_PG_URL's server). */
export async function startPostgresTestRegistry(options: TestRegistryOptions = {}): Promise<EngineTestRegistry> {
  const database = await acquireTestDatabase();
  let registry: RunningRegistry;
  try {
    registry = await startRegistry({ ...options, database: database.url, host: '127.0.0.1', postgres: { maxConnections: 4 } });
  } catch (err) {
    await database.release();
    throw err;
  }
  const { repository } = registry;
  // bigint (count(*), seq) as a number, as SQLite answers it: test counts never come near 2^53.
  const client = new pg.Client({
    connectionString: database.url,
    types: { getTypeParser: ((oid: number, format?: 'text' | 'binary') => (oid === 20 ? Number : pg.types.getTypeParser(oid, format))) as typeof pg.types.getTypeParser },
  });
  try {
    await client.connect();
  } catch (err) {
    await registry.close();
    await database.release();
    throw err;
  }
  const query = async (sql: string, params: readonly unknown[] = []): Promise<Array<Record<string, unknown>>> => {
    let n = 0;
    return (await client.query<Record<string, unknown>>(sql.replace(/\?/g, () => `$${++n}`), [...params])).rows;
  };
  return {
    engine: 'postgres',
    url: registry.url,
    port: registry.port,
    token: await issueToken(repository, TEST_STATION),
    registry,
    close: async () => {
      await client.end();
      await registry.close();
      await database.release();
    },
    addToken: (station) => issueToken(repository, station),
    addKey: async (station, publicKeyBase64) => registerOrThrow(await registerKeyIn(repository, station, publicKeyBase64)),
    query,
    column: async (sql, params) => firstColumn(await query(sql, params)),
    exec: async (sql) => void (await client.query(sql)),
  };
}

export interface TestEngine {
  engine: RegistryEngine;
  /** Why this engine's tests are skipped here; undefined when they run. */
  unavailable: string | undefined;
  /** For the describe's title: the engine, and why it is skipped when it is. */
  title: string;
  start(options?: TestRegistryOptions): Promise<EngineTestRegistry>;
}

/** The engines the registry suites run against: SQLite always, PostgreSQL when a server can be had. */
export function testEngines(): TestEngine[] {
  const unavailable = postgresUnavailable();
  return [
    { engine: 'sqlite', unavailable: undefined, title: 'sqlite', start: (options) => startTestRegistry(options) },
    { engine: 'postgres', unavailable, title: unavailable ? `postgres (skipped: ${unavailable})` : 'postgres', start: (options) => startPostgresTestRegistry(options) },
  ];
}

/**
 * sampleRunRecord() as the registry accepts it: runRecordSchema wants previousRunId to be a run id (a UUID), and
 * the sample's 'run-before' is not one.
 */
export function registryRunRecord(options: SampleRunOptions = {}): RunRecord {
  const { previousRunId: _previous, ...record } = sampleRunRecord(options);
  return record;
}
