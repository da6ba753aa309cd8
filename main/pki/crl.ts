/**
 * Revocation: `<dataDir>/ca/revoked.json` is the station's own list (serial, reason in the pipeline's words, time),
 * and `<dataDir>/ca/intermediate.crl.pem` is the same list as a real X.509 CRL signed by the intermediate, for
 * relying parties. The JSON is written first and the CRL is rebuilt from it, so a crash between the two leaves a
 * list that the next revoke (or the next open of the CA) turns into a CRL again.
 */
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { FieldlineError } from '../errors';
import { caPaths, writeFileAtomic, type CaPaths } from './files';
import { signingProvider, toPem, x509Crypto, type CaSigningKey } from './x509-crypto';

export interface RevokedCertificate {
  /** Lower-case hex, no leading zeros — as `X509Certificate.serialNumber` and CertificateRecord print it. */
  serial: string;
  reason: string;
  /** ISO 8601 */
  time: string;
}

export interface RevocationList {
  version: 1;
  /** The number of the last CRL written (RFC 5280 §5.2.3: monotonically increasing). */
  crlNumber: number;
  entries: RevokedCertificate[];
}

/** A relying party fetches a fresh CRL before this runs out; openStationCa renews it past half of it. */
export const CRL_LIFETIME_DAYS = 30;
const DAY_MS = 86_400_000;
const CRL_NUMBER_OID = '2.5.29.20';

export function emptyRevocationList(): RevocationList {
  return { version: 1, crlNumber: 0, entries: [] };
}

/** "00:AB:cd" → "abcd"; INVALID_ARGUMENT for anything that is not a hex serial. */
export function normalizeSerial(serial: string): string {
  const hex = serial.replace(/[:\s]/g, '').toLowerCase();
  if (!/^[0-9a-f]{1,40}$/.test(hex)) throw new FieldlineError('INVALID_ARGUMENT', `"${serial}" is not a certificate serial number (hex)`);
  return hex.replace(/^0+(?=.)/, '');
}

function parseRevocationList(text: string, path: string): RevocationList {
  try {
    const json = JSON.parse(text) as Partial<RevocationList>;
    if (json.version !== 1 || !Number.isInteger(json.crlNumber) || !Array.isArray(json.entries)) throw new Error('unexpected shape');
    const entries = json.entries.map((e: Partial<RevokedCertificate>) => {
      if (typeof e.serial !== 'string' || typeof e.reason !== 'string' || typeof e.time !== 'string' || Number.isNaN(Date.parse(e.time))) {
        throw new Error('unexpected entry');
      }
      return { serial: normalizeSerial(e.serial), reason: e.reason, time: e.time };
    });
    return { version: 1, crlNumber: json.crlNumber as number, entries };
  } catch (err) {
    throw new FieldlineError('CA_FILES_INVALID', `${path} is not a revocation list`, { path }, { cause: err });
  }
}

const isMissing = (err: unknown): boolean => (err as NodeJS.ErrnoException).code === 'ENOENT';

export async function readRevocationList(paths: CaPaths): Promise<RevocationList> {
  let text: string;
  try {
    text = await readFile(paths.revoked, 'utf8');
  } catch (err) {
    if (isMissing(err)) return emptyRevocationList();
    throw err;
  }
  return parseRevocationList(text, paths.revoked);
}

/**
 * The certificates this station revoked, oldest first (synchronous: one small file, read by reports and tests that
 * have no passphrase). CA_NOT_INITIALIZED when there is no CA.
 */
export function listRevoked(dataDir: string): RevokedCertificate[] {
  const paths = caPaths(dataDir);
  if (![paths.root, paths.intermediate, paths.key].some((p) => existsSync(p))) {
    throw new FieldlineError('CA_NOT_INITIALIZED', `no CA in ${paths.dir}`);
  }
  let text: string;
  try {
    text = readFileSync(paths.revoked, 'utf8');
  } catch (err) {
    if (isMissing(err)) return [];
    throw err;
  }
  return parseRevocationList(text, paths.revoked).entries;
}

/**
 * The CRL reason code for a reason: one of RFC 5280's names when the caller gave one ("keyCompromise"), otherwise
 * cessationOfOperation — the pipeline revokes certificates of rolled-back runs, which are no longer needed but
 * whose key is not suspected (RFC 5280 §5.3.1).
 */
export function crlReason(reason: string): x509.X509CrlReason {
  const names = Object.keys(x509.X509CrlReason).filter((k) => Number.isNaN(Number(k))) as Array<keyof typeof x509.X509CrlReason>;
  const match = names.find((name) => name.toLowerCase() === reason.trim().toLowerCase());
  return match ? x509.X509CrlReason[match] : x509.X509CrlReason.cessationOfOperation;
}

/**
 * The cRLNumber extension. @peculiar/x509 has no class for it, so its value — one DER INTEGER — is encoded here:
 * the only ASN.1 this module writes itself (tag 0x02, length, minimal big-endian two's complement).
 */
function crlNumberExtension(n: number): x509.Extension {
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v % 256);
  if (bytes.length === 0 || (bytes[0] as number) >= 0x80) bytes.unshift(0);
  return new x509.Extension(CRL_NUMBER_OID, false, new Uint8Array([0x02, bytes.length, ...bytes]));
}

export interface CrlParams {
  issuer: x509.X509Certificate;
  key: CaSigningKey;
  list: RevocationList;
  now: Date;
}

export async function buildCrl({ issuer, key, list, now }: CrlParams): Promise<x509.X509Crl> {
  const ski = issuer.getExtension(x509.SubjectKeyIdentifierExtension);
  const aki = ski ? new x509.AuthorityKeyIdentifierExtension(ski.keyId) : await x509.AuthorityKeyIdentifierExtension.create(issuer.publicKey, false, x509Crypto);
  const { crypto, signingKey } = signingProvider(key);
  return x509.X509CrlGenerator.create(
    {
      issuer: issuer.subjectName,
      thisUpdate: now,
      nextUpdate: new Date(now.getTime() + CRL_LIFETIME_DAYS * DAY_MS),
      signingAlgorithm: key.algorithm,
      signingKey,
      extensions: [aki, crlNumberExtension(list.crlNumber)],
      entries: list.entries.map((e) => ({ serialNumber: e.serial, revocationDate: new Date(e.time), reason: crlReason(e.reason) })),
    },
    crypto,
  );
}

/** Writes the list, then the CRL made from it with the next CRL number. Returns the list as written. */
export async function writeRevocations(paths: CaPaths, issuer: x509.X509Certificate, key: CaSigningKey, list: RevocationList, now: Date): Promise<RevocationList> {
  const next: RevocationList = { ...list, crlNumber: list.crlNumber + 1 };
  const crl = await buildCrl({ issuer, key, list: next, now });
  await writeFileAtomic(paths.revoked, JSON.stringify(next, null, 2) + '\n');
  await writeFileAtomic(paths.crl, toPem(crl.rawData, 'X509 CRL'));
  return next;
}

/** True when the CRL file is missing, unreadable or past half of its lifetime. */
export async function crlNeedsRenewal(paths: CaPaths, now: Date): Promise<boolean> {
  try {
    const crl = new x509.X509Crl(await readFile(paths.crl, 'utf8'));
    const next = crl.nextUpdate;
    if (!next) return true;
    return now.getTime() > crl.thisUpdate.getTime() + (next.getTime() - crl.thisUpdate.getTime()) / 2;
  } catch {
    return true;
  }
}
