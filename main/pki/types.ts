/** What the pipeline needs from a certificate authority: the station CA today, PKCS#11 or EST later. */
import type { CertificateRecord } from '../contract/run-record';

export interface IssueRequest {
  /** The device's public key, SPKI DER (from a checked CSR, or the host-generated key in inject mode). */
  publicKeySpki: Uint8Array;
  /** RFC 4514 subject rendered from the profile. */
  subject: string;
  /** `DNS:…`, `URI:…`, `IP:…`, `email:…`. */
  sans: string[];
  validityDays: number;
}

export interface IssuedCertificate {
  der: Uint8Array;
  /** Intermediates to install with it, issuer first (DER). */
  chain: Uint8Array[];
  record: Omit<CertificateRecord, 'mode'>;
}

export interface Signer {
  /** Subject of the issuing certificate. */
  readonly issuer: string;
  issue(request: IssueRequest): Promise<IssuedCertificate>;
  /** Puts a certificate on the revocation list (a rolled-back run). Idempotent. */
  revoke(serial: string, reason: string): Promise<void>;
  /** The revocation list's serials (lower-case hex), where the signer keeps one: `keep` refuses a revoked identity. */
  listRevoked?(): Promise<Array<{ serial: string }>>;
  /** Root and intermediate certificates, PEM, for verification. */
  trustChainPem(): { root: string; intermediate: string };
}
