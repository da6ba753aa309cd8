import Database from 'better-sqlite3';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isFieldlineError } from '../errors';
import { sampleRunRecord } from '../testing/run-records';
import { APPLICATION_ID, migrate, MIGRATIONS, type Migration } from './migrations';
import { openStore } from './store';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fieldline-migrations-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function raw(file: string): Database.Database {
  return new Database(file);
}

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return isFieldlineError(err) ? err.code : `not a FieldlineError: ${String(err)}`;
  }
  return undefined;
}

const tables = (db: Database.Database): string[] =>
  db.prepare(`SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name`).pluck().all() as string[];

describe('migrations', () => {
  it('create every table from an empty directory, with WAL, foreign keys, a busy timeout and owner-only files', async () => {
    const store = openStore(dir);
    expect(store.file).toBe(join(dir, 'fieldline.db'));
    expect(tables(store.db)).toEqual(['audit', 'audit_head', 'certificates', 'devices', 'evidence', 'operators', 'outbox', 'profile_uploads', 'replacements', 'run_owners', 'runs', 'steps', 'sync_status']);
    expect(store.db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
    expect(store.db.pragma('application_id', { simple: true })).toBe(APPLICATION_ID);
    expect(store.db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(store.db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(store.db.pragma('busy_timeout', { simple: true })).toBeGreaterThanOrEqual(5000);
    store.saveRun(sampleRunRecord());
    for (const name of ['fieldline.db', 'fieldline.db-wal', 'fieldline.db-shm']) {
      expect(((await stat(join(dir, name))).mode & 0o777).toString(8), name).toBe('600');
    }
    store.close();
  });

  it('re-opening applies nothing and keeps the data', () => {
    const record = sampleRunRecord();
    const first = openStore(dir);
    first.saveRun(record);
    first.close();
    const again = openStore(dir);
    expect(migrate(again.db)).toEqual({ from: MIGRATIONS.length, to: MIGRATIONS.length });
    expect(again.getRun(record.id)).toEqual(record);
    again.close();
  });

  it('applies only the migrations a store lacks, such as a later table beside runs', () => {
    const record = sampleRunRecord();
    const v1 = openStore(dir);
    v1.saveRun(record);
    v1.close();
    const later: Migration = {
      version: MIGRATIONS.length + 1,
      name: 'later',
      sql: `CREATE TABLE later (run_id TEXT PRIMARY KEY REFERENCES runs (id), enqueued_at TEXT NOT NULL) STRICT;
            INSERT INTO later SELECT id, ended_at FROM runs;`,
    };
    const v2 = openStore(dir, {
      migrations: [...MIGRATIONS, later],
      onRunSaved: (db, r) => db.prepare('INSERT OR IGNORE INTO later VALUES (?, ?)').run(r.id, r.endedAt),
    });
    expect(v2.db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length + 1);
    // Saving the run again keeps its rows in tables that reference it: runs are upserted, never deleted.
    v2.saveRun({ ...record, outcome: 'passed' });
    v2.saveRun(sampleRunRecord({ id: 'second' }));
    expect(v2.db.prepare('SELECT run_id FROM later ORDER BY run_id').pluck().all()).toEqual([record.id, 'second'].sort());
    expect(v2.db.prepare('SELECT run_id FROM outbox ORDER BY run_id').pluck().all()).toEqual([record.id, 'second'].sort());
    v2.close();
  });

  it('roll back a migration that fails, leaving the version it had', () => {
    openStore(dir).close();
    const broken: Migration = { version: MIGRATIONS.length + 1, name: 'broken', sql: 'CREATE TABLE half (a); SELECT no_such_function();' };
    expect(() => openStore(dir, { migrations: [...MIGRATIONS, broken] })).toThrow(/no_such_function/);
    const db = raw(join(dir, 'fieldline.db'));
    expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
    expect(tables(db)).not.toContain('half');
    db.close();
  });

  it('refuse a store written by a newer Fieldline, and leave it untouched', () => {
    openStore(dir).close();
    const db = raw(join(dir, 'fieldline.db'));
    db.pragma(`user_version = ${MIGRATIONS.length + 1}`);
    db.close();
    let message = '';
    try {
      openStore(dir);
    } catch (err) {
      expect(isFieldlineError(err, 'STORE_TOO_NEW')).toBe(true);
      message = (err as Error).message;
    }
    expect(message).toMatch(new RegExp(`schema version ${MIGRATIONS.length + 1}; this Fieldline knows up to ${MIGRATIONS.length}`));
    const after = raw(join(dir, 'fieldline.db'));
    expect(after.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length + 1);
    after.close();
  });

  it("refuse another program's database and a file that is not a database", async () => {
    const foreign = join(dir, 'other.db');
    const db = raw(foreign);
    db.exec('CREATE TABLE contacts (name TEXT)');
    db.close();
    expect(codeOf(() => openStore(foreign))).toBe('STORE_CORRUPT');
    const text = join(dir, 'notes.db');
    await writeFile(text, 'x'.repeat(4096));
    expect(codeOf(() => openStore(text))).toBe('STORE_CORRUPT');
  });

  it('report an unwritable location as STORE_UNAVAILABLE', async () => {
    const file = join(dir, 'plain-file');
    await writeFile(file, '');
    expect(codeOf(() => openStore(join(file, 'sub', 'fieldline.db')))).toBe('STORE_UNAVAILABLE');
  });

  it('insist on consecutive numbers', () => {
    const db = new Database(':memory:');
    expect(() => migrate(db, [{ version: 2, name: 'x', sql: '' }])).toThrow('expected 1');
    db.close();
  });
});
