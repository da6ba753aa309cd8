/** The registry database refuses files that are not its own, and migrates a new one exactly once. */
import Database from 'better-sqlite3';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore } from '../main/store/store';
import { openRegistryDb } from './db';
import { REGISTRY_APPLICATION_ID, REGISTRY_MIGRATIONS } from './schema';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fieldline-regdb-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('registry database', () => {
  it('is created with its application id and schema version, in WAL mode, and opens again unchanged', () => {
    const file = join(dir, 'registry.db');
    openRegistryDb(file).close();
    const db = openRegistryDb(file);
    expect(db.pragma('application_id', { simple: true })).toBe(REGISTRY_APPLICATION_ID);
    expect(db.pragma('user_version', { simple: true })).toBe(REGISTRY_MIGRATIONS.length);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(Number(db.pragma('busy_timeout', { simple: true }))).toBeGreaterThan(0);
    db.close();
  });

  it("refuses another program's database and a station's store", () => {
    const other = join(dir, 'other.db');
    const raw = new Database(other);
    raw.exec('CREATE TABLE t (x)');
    raw.close();
    expect(() => openRegistryDb(other)).toThrow(/not a Fieldline registry database/);

    const store = openStore(join(dir, 'station.db'));
    store.close();
    expect(() => openRegistryDb(join(dir, 'station.db'))).toThrow(/not a Fieldline registry database/);
  });

  it('refuses a database written by a newer registry', () => {
    const file = join(dir, 'newer.db');
    openRegistryDb(file).close();
    const raw = new Database(file);
    raw.pragma(`user_version = ${REGISTRY_MIGRATIONS.length + 1}`);
    raw.close();
    expect(() => openRegistryDb(file)).toThrow(/newer registry/);
  });
});
