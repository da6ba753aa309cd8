/**
 * What only the PostgreSQL engine has: its migration history applied under a lock by processes starting at once,
 * a database that is not the registry's refused, the password kept out of every message, and the statement
 * timeout answering 503 (retry) instead of holding a request for ever.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isFieldlineError } from '../main/errors';
import { acquireTestDatabase, postgresUnavailable } from '../main/testing/postgres';
import { registryRunRecord } from '../main/testing/registry';
import { PostgresRepository } from './postgres-repository';
import { POSTGRES_MIGRATIONS } from './postgres-schema';
import { checkPostgresUrl, redactDatabaseUrl } from './postgres-url';
import { startRegistry } from './server';
import { issueToken, tokenStation } from './tokens';

describe('database URLs', () => {
  it('are shown without their password, or any query string that could carry one', () => {
    expect(redactDatabaseUrl('postgres://reg:s3cret@db.example:5433/registry?sslmode=require&password=x')).toBe('postgres://reg@db.example:5433/registry');
    expect(redactDatabaseUrl('postgres://reg:s3cret@[not a url')).not.toContain('s3cret');
  });

  it('must be postgres:// with a database', () => {
    expect(checkPostgresUrl(' postgresql://a@h/db ')).toBe('postgresql://a@h/db');
    for (const bad of ['mysql://a:pw@h/db', 'postgres://a:pw@h', 'postgres://a:pw@h/', 'registry.db']) {
      let thrown: unknown;
      try {
        checkPostgresUrl(bad);
      } catch (err) {
        thrown = err;
      }
      expect(isFieldlineError(thrown, 'INVALID_ARGUMENT'), bad).toBe(true);
      expect((thrown as Error).message).not.toContain(':pw@');
    }
  });
});

const unavailable = postgresUnavailable();

describe.skipIf(unavailable !== undefined)(`the PostgreSQL engine${unavailable ? ` (skipped: ${unavailable})` : ''}`, () => {
  const databases: Array<{ url: string; release(): Promise<void> }> = [];
  const fresh = async (): Promise<string> => {
    const database = await acquireTestDatabase();
    databases.push(database);
    return database.url;
  };
  async function onDatabase<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      return await fn(client);
    } finally {
      await client.end();
    }
  }

  beforeAll(async () => {
    await fresh();
  }, 60_000);
  afterAll(async () => {
    for (const database of databases.splice(0)) await database.release();
  });

  it('migrates once when four processes open a new database at the same moment', async () => {
    const url = await fresh();
    const repositories = await Promise.all(Array.from({ length: 4 }, () => PostgresRepository.open(url, { maxConnections: 2 })));
    try {
      const versions = await onDatabase(url, async (c) => (await c.query<{ version: number }>('SELECT version FROM fieldline_registry_schema ORDER BY version')).rows);
      expect(versions.map((v) => v.version)).toEqual(POSTGRES_MIGRATIONS.map((m) => m.version));
      // Each works on the shared schema: a token made through one is known to the others.
      const token = await issueToken(repositories[0] as PostgresRepository, 'line-1');
      for (const repository of repositories) expect(await tokenStation(repository, token)).toBe('line-1');
    } finally {
      await Promise.all(repositories.map((r) => r.close()));
    }
  });

  it("refuses another program's database, and one a newer registry wrote", async () => {
    const theirs = await fresh();
    await onDatabase(theirs, (c) => c.query('CREATE TABLE invoices (id integer)'));
    await expect(PostgresRepository.open(theirs)).rejects.toThrow(/is not a Fieldline registry database \(it holds other tables\)/);
    const newer = await fresh();
    await (await PostgresRepository.open(newer)).close();
    await onDatabase(newer, (c) => c.query(`INSERT INTO fieldline_registry_schema (version, name) VALUES (99, 'from the future')`));
    await expect(PostgresRepository.open(newer)).rejects.toThrow(`written by a newer registry (schema 99; this one knows up to ${POSTGRES_MIGRATIONS.length})`);
  });

  it('names the database without its password when it cannot log in', async () => {
    const url = new URL(await fresh());
    url.username = 'nobody';
    url.password = 'hunter2-secret';
    const refused = await PostgresRepository.open(url.toString()).catch((err: unknown) => err);
    expect(isFieldlineError(refused, 'INVALID_ARGUMENT')).toBe(true);
    expect((refused as Error).message).toMatch(/cannot use the registry database postgres:\/\/nobody@127\.0\.0\.1:\d+\/\w+: .*nobody/);
    expect((refused as Error).message).not.toContain('hunter2-secret');
  });

  it('a reader paging with `since` while eight writers upload sees every record exactly once', async () => {
    const url = await fresh();
    const writers = await Promise.all(Array.from({ length: 8 }, () => PostgresRepository.open(url, { maxConnections: 2 })));
    const reader = await PostgresRepository.open(url, { maxConnections: 1 });
    try {
      const sent = new Set<string>();
      let writing = true;
      const seen: string[] = [];
      let cursor = 0;
      const readPage = async (): Promise<number> => {
        const page = await reader.recordsSince(cursor, 1000);
        seen.push(...page.records.map((r) => r.id));
        cursor = Number(page.nextCursor);
        return page.records.length;
      };
      const reading = (async () => {
        while (writing) await readPage();
      })();
      await Promise.all(
        writers.map(async (writer, w) => {
          for (let n = 0; n < 15; n++) {
            const batch = Array.from({ length: 20 }, (_, i) => registryRunRecord({ serial: `GW-CURSOR-${w}-${i % 4}` }));
            for (const r of batch) sent.add(r.id);
            expect((await writer.storeRecords(batch, 'line-1', new Date())).accepted).toHaveLength(batch.length);
          }
        }),
      );
      writing = false;
      await reading;
      while ((await readPage()) > 0);
      // A sequence number taken by a transaction that committed after a larger one was read would be skipped here.
      expect(seen.length).toBe(sent.size);
      expect(new Set(seen)).toEqual(sent);
    } finally {
      await Promise.all([...writers, reader].map((r) => r.close()));
    }
  });

  it('cancels a statement over the timeout and answers 503 with Retry-After, so the station tries again', async () => {
    const url = await fresh();
    const registry = await startRegistry({ database: url, host: '127.0.0.1', postgres: { statementTimeoutMs: 300, maxConnections: 2 } });
    try {
      await onDatabase(url, (c) =>
        c.query(`
          CREATE FUNCTION slow_insert() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_sleep(5); RETURN NEW; END $$;
          CREATE TRIGGER slow BEFORE INSERT ON records FOR EACH ROW EXECUTE FUNCTION slow_insert();`),
      );
      const token = await issueToken(registry.repository, 'line-1');
      const started = performance.now();
      const res = await fetch(`${registry.url}/v1/records:batch`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ records: [registryRunRecord({ serial: 'GW-SLOW' })] }),
      });
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toBe('1');
      expect(await res.json()).toMatchObject({ error: { code: 'UNAVAILABLE' } });
      // Well under the trigger's 5 s: the timeout, not the sleep, ended it.
      expect(performance.now() - started).toBeLessThan(4000);
      const device = await fetch(`${registry.url}/v1/devices/GW-SLOW`, { headers: { authorization: `Bearer ${token}` } });
      expect(device.status).toBe(404);
    } finally {
      await registry.close();
    }
  });
});
