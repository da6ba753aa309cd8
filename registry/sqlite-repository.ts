/**
 * The repository on SQLite (better-sqlite3): today's synchronous statements behind the async interface. One
 * process owns the file's writes at a time (BEGIN IMMEDIATE), which is what orders the receive sequence.
 */
import { storeError } from '../main/shared/sqlite';
import type { RegistryDb } from './db';
import { RecordStore } from './records';
import type { RegistryRepository, StoredKey } from './repository';
import { insertKey, keyRow } from './keys';
import { insertToken } from './tokens';

export class SqliteRepository implements RegistryRepository {
  readonly engine = 'sqlite' as const;
  readonly location: string;
  private readonly records: RecordStore;

  constructor(readonly db: RegistryDb) {
    this.location = db.name;
    this.records = new RecordStore(db);
  }

  async storeRecords(items: readonly unknown[], station: string, now: Date) {
    return this.records.store(items, station, now);
  }

  async storeRecord(item: unknown, station: string, now: Date) {
    return this.records.storeOne(item, station, now);
  }

  async device(serial: string) {
    return this.records.device(serial);
  }

  async devicesAtSite(site: string, after: string, limit: number) {
    return this.records.atSite(site, after, limit);
  }

  async recordsSince(since: number, limit: number) {
    return this.records.since(since, limit);
  }

  async addToken(station: string, tokenHash: string, now: Date): Promise<void> {
    insertToken(this.db, station, tokenHash, now);
  }

  async stationForTokenHash(tokenHash: string): Promise<string | undefined> {
    const row = this.db.prepare('SELECT station FROM tokens WHERE hash = ?').pluck().get(tokenHash);
    return typeof row === 'string' ? row : undefined;
  }

  async addKey(station: string, keyId: string, publicKey: string, now: Date): Promise<StoredKey> {
    return insertKey(this.db, station, keyId, publicKey, now);
  }

  async key(keyId: string): Promise<StoredKey | undefined> {
    return keyRow(this.db, keyId);
  }

  translateError(err: unknown): unknown {
    return storeError(err, this.db.name);
  }

  async close(): Promise<void> {
    this.db.close();
  }
}
