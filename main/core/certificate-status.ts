/**
 * A run's certificate as it stands now: the store's certificate register (state, and when it changed) with the CA's
 * revocation list (why, and when) — for the run view, the report page and `fieldline report`.
 */
import type { CertificateStatus } from '../contract/certificate-status';
import type { RunRecord } from '../contract/run-record';
import { isFieldlineError } from '../errors';
import { listRevoked, normalizeSerial, type RevokedCertificate } from '../pki/crl';
import type { Store } from '../store/types';

/** The station CA's revocation list, or none when there is no CA or it cannot be read (the register still says revoked). */
export function revocationsOf(dataDir: string): () => readonly RevokedCertificate[] {
  return () => {
    try {
      return listRevoked(dataDir);
    } catch (err) {
      if (isFieldlineError(err, 'CA_NOT_INITIALIZED') || isFieldlineError(err, 'CA_FILES_INVALID')) return [];
      throw err;
    }
  };
}

const sameSerial = (a: string, b: string): boolean => {
  try {
    return normalizeSerial(a) === normalizeSerial(b);
  } catch {
    return false;
  }
};

export function certificateStatus(store: Pick<Store, 'listCertificates'>, revocations: () => readonly RevokedCertificate[], record: RunRecord): CertificateStatus {
  const cert = record.certificate;
  if (!cert) return { state: 'none' };
  const row = store.listCertificates({ fingerprint: cert.fingerprintSha256 })[0];
  // Either says revoked: the register never leaves 'revoked', and a record saved as revoked was revoked first.
  if (row?.state !== 'revoked' && cert.revoked !== true) return { state: row?.state ?? (record.outcome === 'passed' ? 'in-service' : 'issued') };
  const listed = revocations().find((e) => sameSerial(e.serial, cert.serial));
  const revokedAt = listed?.time ?? (row?.state === 'revoked' ? row.updatedAt : undefined);
  return { state: 'revoked', ...(revokedAt ? { revokedAt } : {}), ...(listed ? { reason: listed.reason.slice(0, 1000) } : {}) };
}
