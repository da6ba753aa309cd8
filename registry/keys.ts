/**
 * Station bundle keys: the Ed25519 public key each station signs its offline bundles with. A station registers
 * its own over its token (`POST /v1/stations/me/keys`); for a station that never goes online an administrator
 * does it (`fieldline registry station add-key`). A key belongs to exactly one station, so a bundle signed with it
 * is accepted only as that station's.
 */
import { createPublicKey } from 'node:crypto';
import { FieldlineError } from '../main/errors';
import { keyIdOf } from '../main/shared/bundle-format';
import { withRegistryDb, type RegistryDb } from './db';
import type { RegistryRepository, StoredKey } from './repository';
import { checkStationName, ensureStation } from './stations';

export interface RegisteredKey {
  station: string;
  keyId: string;
}

/** The key in the canonical form the manifest carries (SPKI DER, base64), or a KEY_INVALID-style failure. */
export function normalizeEd25519Key(publicKey: string): string {
  let der: Buffer;
  try {
    der = Buffer.from(publicKey.trim(), 'base64');
    const key = createPublicKey({ key: der, format: 'der', type: 'spki' });
    if (key.asymmetricKeyType !== 'ed25519') throw new Error(`a ${key.asymmetricKeyType ?? 'unknown'} key`);
    der = Buffer.from(key.export({ type: 'spki', format: 'der' }));
  } catch (err) {
    throw new FieldlineError('INVALID_ARGUMENT', `not an Ed25519 public key (SPKI DER, base64): ${(err as Error).message}`);
  }
  return der.toString('base64');
}

/** The key of a PEM file (`-----BEGIN PUBLIC KEY-----`), as SPKI base64. */
export function publicKeyFromPem(pem: string): string {
  try {
    return normalizeEd25519Key(Buffer.from(createPublicKey(pem).export({ type: 'spki', format: 'der' })).toString('base64'));
  } catch (err) {
    if (err instanceof FieldlineError) throw err;
    throw new FieldlineError('INVALID_ARGUMENT', `not a public key in PEM: ${(err as Error).message}`);
  }
}

export type RegisterKeyResult = RegisteredKey | { conflict: string };

/**
 * Registers `publicKey` for `station` (creating the station row if new). Idempotent: the same key again is the
 * same answer. A key already registered to another station is refused (`conflict`), since a bundle must name
 * one owner.
 */
export function registerKey(dbOrFile: RegistryDb | string, station: string, publicKey: string, now = new Date()): RegisterKeyResult {
  const spki = normalizeEd25519Key(publicKey);
  const keyId = keyIdOf(spki);
  return withRegistryDb(dbOrFile, (db) => registration(insertKey(db, station, keyId, spki, now), station, keyId, spki));
}

/** The key's row on SQLite unless its id is held, with its station's; answers the row held under `keyId`. */
export function insertKey(db: RegistryDb, station: string, keyId: string, spki: string, now: Date): StoredKey {
  return db.transaction((): StoredKey => {
    ensureStation(db, station, now);
    db.prepare('INSERT OR IGNORE INTO station_keys (key_id, public_key, station, created_at) VALUES (?, ?, ?, ?)').run(keyId, spki, station, now.toISOString());
    return db.prepare('SELECT station, public_key AS publicKey FROM station_keys WHERE key_id = ?').get(keyId) as StoredKey;
  }).immediate();
}

/** The answer for the row held after registering `spki` under `keyId` for `station`. */
function registration(row: StoredKey, station: string, keyId: string, spki: string): RegisterKeyResult {
  // Same key id, different key: a 64-bit prefix collision, vanishingly rare, but never treat it as the same key.
  if (row.station !== station || row.publicKey !== spki) return { conflict: row.station };
  return { station, keyId };
}

/** registerKey on either engine. */
export async function registerKeyIn(repository: RegistryRepository, station: string, publicKey: string, now = new Date()): Promise<RegisterKeyResult> {
  const spki = normalizeEd25519Key(publicKey);
  const keyId = keyIdOf(spki);
  return registration(await repository.addKey(checkStationName(station), keyId, spki, now), station, keyId, spki);
}

/** keyOwner on either engine. */
export async function keyOwnerIn(repository: RegistryRepository, keyId: string, publicKey: string): Promise<string | undefined> {
  return ownerOf(await repository.key(keyId), publicKey);
}

function ownerOf(row: StoredKey | undefined, publicKey: string): string | undefined {
  // Compared as bytes: the manifest's base64 is the signer's text, which may differ from ours only in padding.
  return row && Buffer.from(row.publicKey, 'base64').equals(Buffer.from(publicKey, 'base64')) ? row.station : undefined;
}

/** The station `keyId` is registered to, if its full public key is also the one given. */
export function keyOwner(db: RegistryDb, keyId: string, publicKey: string): string | undefined {
  return ownerOf(keyRow(db, keyId), publicKey);
}

export function keyRow(db: RegistryDb, keyId: string): StoredKey | undefined {
  return db.prepare('SELECT station, public_key AS publicKey FROM station_keys WHERE key_id = ?').get(keyId) as StoredKey | undefined;
}
