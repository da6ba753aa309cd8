/**
 * Sends the station CA's revocation list to the registry (`PUT /v1/stations/me/revocations`, issue #16), so another
 * station's visit kit can tell offline that a certificate this station issued was revoked. It goes after each sync
 * pass that reached the registry, and only when the list (or the registry) changed since the last upload the
 * registry acknowledged: the hash of what was sent is kept in the store's sync status. It never throws: a failure is
 * written to the sync status (and logged) and the records' drain goes on as if nothing happened.
 */
import { createHash } from 'node:crypto';
import type Database from 'better-sqlite3';
import { revocationListUploadSchema, REVOCATION_LIMITS, type RevocationListUpload } from '../contract/registry/revocations';
import { isFieldlineError } from '../errors';
import { silentLogger, type Logger } from '../log';
import { loadCaMaterial } from '../pki/ca-store';
import { listRevoked } from '../pki/crl';
import { formatName } from '../pki/dn';
import type { Store } from '../store/types';
import type { RegistryClient } from './registry-client';
import { readRevocationUploadStatus, writeRevocationUploadStatus } from './sync-status';

export type RevocationUploadOutcome = 'uploaded' | 'unchanged' | 'no-ca' | 'failed';

export interface RevocationUploadOptions {
  dataDir: string;
  store: Pick<Store, 'listCertificates'> & { db: Database.Database };
  client: Pick<RegistryClient, 'putRevocations' | 'url'>;
  now?: () => Date;
  logger?: Logger;
}

/** The list as the registry takes it: ca/revoked.json, with each certificate's fingerprint where the register has it. */
export async function revocationListOf(dataDir: string, store: Pick<Store, 'listCertificates'>): Promise<RevocationListUpload | undefined> {
  let revoked;
  try {
    revoked = listRevoked(dataDir);
  } catch (err) {
    if (isFieldlineError(err, 'CA_NOT_INITIALIZED')) return undefined;
    throw err;
  }
  const { intermediate } = await loadCaMaterial(dataDir);
  const fingerprints = new Map(store.listCertificates({ state: 'revoked' }).map((c) => [c.serial.toLowerCase().replace(/^0+(?=.)/, ''), c.fingerprintSha256]));
  const parsed = revocationListUploadSchema.safeParse({
    issuer: formatName(intermediate.subjectName),
    entries: revoked.map((e) => {
      const fingerprintSha256 = fingerprints.get(e.serial);
      return { serial: e.serial, ...(fingerprintSha256 ? { fingerprintSha256 } : {}), revokedAt: new Date(e.time).toISOString(), reason: e.reason.slice(0, REVOCATION_LIMITS.reasonChars) };
    }),
  });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`the CA's revocation list does not fit the registry's bounds (${issue?.path.join('.') ?? ''}: ${issue?.message ?? ''})`);
  }
  return parsed.data;
}

export async function uploadRevocationsIfChanged(options: RevocationUploadOptions): Promise<RevocationUploadOutcome> {
  const { store, client } = options;
  const now = options.now ?? (() => new Date());
  const logger = options.logger ?? silentLogger;
  let previous;
  try {
    previous = readRevocationUploadStatus(store.db);
  } catch (err) {
    logger.warn('the revocation list upload status cannot be read', { error: (err as Error).message });
    return 'failed';
  }
  try {
    const list = await revocationListOf(options.dataDir, store);
    if (!list) return 'no-ca';
    const body = JSON.stringify(list);
    // The registry's URL is part of the hash: a station logged in to another registry sends its list there too.
    const hash = createHash('sha256').update(client.url).update('\n').update(body).digest('hex');
    if (hash === previous.hash && previous.error === null) return 'unchanged';
    await client.putRevocations(list);
    writeRevocationUploadStatus(store.db, { hash, uploadedAt: now().toISOString(), error: null });
    logger.info('revocation list sent to the registry', { entries: list.entries.length });
    return 'uploaded';
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    logger.warn('the revocation list was not sent; records are unaffected', { error: message });
    try {
      writeRevocationUploadStatus(store.db, { ...previous, error: message.slice(0, 4000) });
    } catch {
      // Only the status is lost; the next pass tries again.
    }
    return 'failed';
  }
}
