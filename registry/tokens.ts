/**
 * Station bearer tokens. A token is 32 random bytes shown once as `flt_<base64url>`; the registry keeps only its
 * SHA-256, with the station it belongs to and when it was made, so the database file (or a backup of it) cannot be
 * used to upload.
 */
import { createHash, randomBytes } from 'node:crypto';
import { withRegistryDb, type RegistryDb } from './db';
import type { RegistryRepository } from './repository';
import { checkStationName, ensureStation } from './stations';

export const TOKEN_PREFIX = 'flt_';
/** 32 bytes as unpadded base64url is 43 characters. */
const TOKEN_SHAPE = /^flt_[A-Za-z0-9_-]{43}$/;

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

function newToken(): string {
  return TOKEN_PREFIX + randomBytes(32).toString('base64url');
}

/** Makes a new token for `station` (creating the station if new) and returns it: the only time it exists in clear. */
export function createToken(dbOrFile: RegistryDb | string, station: string, now = new Date()): string {
  const token = newToken();
  withRegistryDb(dbOrFile, (db) => insertToken(db, station, hashToken(token), now));
  return token;
}

/** The token's row on SQLite, with its station's, in one write transaction. */
export function insertToken(db: RegistryDb, station: string, tokenHash: string, now: Date): void {
  db.transaction(() => {
    ensureStation(db, station, now);
    db.prepare('INSERT INTO tokens (hash, station, created_at) VALUES (?, ?, ?)').run(tokenHash, station, now.toISOString());
  }).immediate();
}

/**
 * The station a token belongs to, or undefined. No timingSafeEqual: the secret is never compared byte by byte.
 * The presented token is hashed first and the hash looked up in an index, so the timing of the look-up depends on
 * the hash of the guess, and learning how many leading bytes of a SHA-256 match a stored one does not help to
 * find a token that hashes to it (that would need a preimage).
 */
export function stationForToken(db: RegistryDb, token: string): string | undefined {
  if (!TOKEN_SHAPE.test(token)) return undefined;
  const row = db.prepare('SELECT station FROM tokens WHERE hash = ?').pluck().get(hashToken(token));
  return typeof row === 'string' ? row : undefined;
}

/** createToken on either engine. */
export async function issueToken(repository: RegistryRepository, station: string, now = new Date()): Promise<string> {
  const token = newToken();
  await repository.addToken(checkStationName(station), hashToken(token), now);
  return token;
}

/** stationForToken on either engine. */
export async function tokenStation(repository: RegistryRepository, token: string): Promise<string | undefined> {
  return TOKEN_SHAPE.test(token) ? repository.stationForTokenHash(hashToken(token)) : undefined;
}
