/**
 * Everything the registry keeps, behind one interface the routes use, so the same API runs on either engine:
 * SQLite (the embedded default, one file) or PostgreSQL (a server several registry processes may share). Each
 * method is one unit of work — a transaction where it writes — so no state lives in the process between calls.
 */
import type { BatchUploadReply, DeviceReply, DevicesPage, RecordRejectionCode, RecordsPage } from '../main/contract/registry/api';

export type RegistryEngine = 'sqlite' | 'postgres';

export type RecordVerdict = { kind: 'accepted' } | { kind: 'duplicate' } | { kind: 'rejected'; code: RecordRejectionCode; reason: string };

/** A station's registered bundle key as stored. */
export interface StoredKey {
  station: string;
  /** SPKI DER, base64. */
  publicKey: string;
}

export interface RegistryRepository {
  readonly engine: RegistryEngine;
  /** Where the data lives, for messages and logs: a file path, or a URL without its password. */
  readonly location: string;

  /**
   * Stores what is new among `items` (untrusted; each checked on its own) for `station`, as one transaction.
   * Every item appears in exactly one list of the reply, in the order sent.
   */
  storeRecords(items: readonly unknown[], station: string, now: Date): Promise<BatchUploadReply>;
  /** One record (PUT /v1/records/{id}), filed as a batch files each of its records. */
  storeRecord(item: unknown, station: string, now: Date): Promise<RecordVerdict>;
  device(serial: string): Promise<DeviceReply | undefined>;
  /**
   * The devices whose newest provisioning record naming a site names `site`, by serial, after the serial `after`
   * ('' = from the first): at most `limit`, and a nextCursor when there are more.
   */
  devicesAtSite(site: string, after: string, limit: number): Promise<DevicesPage>;
  /** Records received after the sequence `since`, oldest first; a later page never misses one committed before. */
  recordsSince(since: number, limit: number): Promise<RecordsPage>;

  /** Stores a token's hash for `station`, creating the station if new. */
  addToken(station: string, tokenHash: string, now: Date): Promise<void>;
  stationForTokenHash(tokenHash: string): Promise<string | undefined>;

  /** Registers the key unless its id is held; answers the row now held under `keyId` (maybe another station's). */
  addKey(station: string, keyId: string, publicKey: string, now: Date): Promise<StoredKey>;
  key(keyId: string): Promise<StoredKey | undefined>;

  /**
   * The engine's own failure as a FieldlineError where it has a meaning for the client — STORE_BUSY for one worth
   * retrying (a lock held too long, a deadlock, a timeout, a lost connection) — and anything else as it is.
   */
  translateError(err: unknown): unknown;
  close(): Promise<void>;
}
