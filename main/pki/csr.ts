/**
 * The device side of identity, as the station sees it: checking a CSR a device made (its bytes are untrusted), making
 * a key for devices provisioned in inject mode, verifying the challenge a device signs to prove it holds its key, and
 * the record kept of an issued certificate.
 */
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { createHash, generateKeyPairSync, verify, X509Certificate as NodeX509Certificate, type KeyObject } from 'node:crypto';
import { FieldlineError } from '../errors';
import type { CertificateRecord } from '../contract/run-record';
import { expectTlv, SEQUENCE } from './der';
import { formatName, normalizeName, normalizeNamed, parseDistinguishedName, withNames } from './dn';
import { describeKey, isP256, publicKeyFromSpki } from './x509-crypto';

/** A P-256 CSR is about 250 bytes; anything far larger is not one, and is not worth parsing. */
export const MAX_CSR_BYTES = 8 * 1024;
/** WebCrypto hash names as x509 reports them → Node's digest names. */
const ACCEPTED_HASHES = new Map([
  ['SHA-256', 'sha256'],
  ['SHA-384', 'sha384'],
  ['SHA-512', 'sha512'],
]);

export interface CheckedCsr {
  /** The device's public key, SPKI DER: what the certificate is issued for. */
  publicKeySpki: Uint8Array;
  /** The subject as the device wrote it (RFC 4514). */
  subject: string;
}

function csrInvalid(message: string, cause?: unknown): FieldlineError {
  return new FieldlineError('CSR_INVALID', message, {}, cause === undefined ? undefined : { cause });
}

function hashName(algorithm: x509.HashedAlgorithm): string | undefined {
  const hash: unknown = (algorithm as { hash?: unknown }).hash;
  if (typeof hash === 'string') return hash.toUpperCase();
  if (typeof hash === 'object' && hash !== null && typeof (hash as { name?: unknown }).name === 'string') return (hash as { name: string }).name.toUpperCase();
  return undefined;
}

/**
 * Accepts a CSR only if it parses, its signature verifies (ECDSA with SHA-2), its key is EC P-256 and its subject
 * is, attribute by attribute, the one the profile expects (spacing, attribute-name case and string types aside).
 * Anything else → CSR_INVALID saying which check failed. An unparseable `expectedSubject` is the profile's fault:
 * INVALID_ARGUMENT.
 */
export async function checkCsr(der: Uint8Array, expectedSubject: string): Promise<CheckedCsr> {
  const expected = parseDistinguishedName(expectedSubject);
  if (!expected) throw new FieldlineError('INVALID_ARGUMENT', `expected subject "${expectedSubject}" is not an RFC 4514 name`);
  if (der.length === 0 || der.length > MAX_CSR_BYTES) throw csrInvalid(`the request is ${der.length} bytes (expected 1 to ${MAX_CSR_BYTES})`);

  let csr: x509.Pkcs10CertificateRequest;
  let key: KeyObject;
  try {
    csr = new x509.Pkcs10CertificateRequest(new Uint8Array(der));
  } catch (err) {
    throw csrInvalid('the request is not a PKCS#10 certificate request', err);
  }
  try {
    key = publicKeyFromSpki(new Uint8Array(csr.publicKey.rawData));
  } catch (err) {
    throw csrInvalid('the request holds a public key that does not parse', err);
  }
  const algorithm = csr.signatureAlgorithm;
  const algorithmName = (algorithm as { name?: unknown }).name;
  const hash = hashName(algorithm);
  if (algorithmName !== 'ECDSA' || !hash || !ACCEPTED_HASHES.has(hash)) {
    throw csrInvalid(`the request is signed with ${String(algorithmName)}${hash ? `/${hash}` : ''}; ECDSA with SHA-256 is expected`);
  }
  let signatureOk: boolean;
  try {
    // Node's verify over the request's signed bytes, with the key already in hand: the same ECDSA check as
    // csr.verify(), without re-importing the key into WebCrypto and re-encoding the signature (a CSR per run).
    signatureOk = verify(ACCEPTED_HASHES.get(hash) as string, signedPart(der), { key, dsaEncoding: 'der' }, Buffer.from(csr.signature));
  } catch (err) {
    throw csrInvalid('the request signature cannot be checked', err);
  }
  if (!signatureOk) throw csrInvalid('the request signature does not verify: it was altered or damaged on the way');
  if (!isP256(key)) throw csrInvalid(`the request is for an ${describeKey(key)} key; devices must use EC P-256`);
  // Read with our attribute names once, for both the text and the comparison.
  const named = withNames(csr.subjectName);
  const subject = named.toString();
  if (JSON.stringify(normalizeNamed(named)) !== JSON.stringify(normalizeName(expected))) {
    throw csrInvalid(`the request is for "${subject}" but the profile expects "${formatName(expected)}"`);
  }
  return { publicKeySpki: new Uint8Array(key.export({ type: 'spki', format: 'der' })), subject };
}

/** A CertificationRequest's certificationRequestInfo as sent: the bytes its signature covers. */
function signedPart(der: Uint8Array): Uint8Array {
  const request = expectTlv(der, 0, SEQUENCE);
  const info = expectTlv(der, request.content, SEQUENCE);
  return der.subarray(info.start, info.end);
}

export interface DeviceKey {
  /** PKCS#8 PEM, for inject mode only: it goes to the device and is not kept by the station. */
  privateKeyPkcs8Pem: string;
  publicKeySpki: Uint8Array;
}

/** A P-256 key pair made on the station for a device that cannot make its own (inject mode). About a millisecond. */
export function generateDeviceKey(): DeviceKey {
  const { publicKey, privateKey } = generateKeyPairSync('ec', {
    namedCurve: 'prime256v1',
    publicKeyEncoding: { type: 'spki', format: 'der' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  return { privateKeyPkcs8Pem: privateKey, publicKeySpki: new Uint8Array(publicKey) };
}

/** True when `sigDer` is the certificate key's ECDSA-SHA256 signature (DER) over `challenge`; false otherwise. */
export function verifyChallenge(certDer: Uint8Array, challenge: Uint8Array, sigDer: Uint8Array): boolean {
  try {
    // Node's (OpenSSL's) certificate parser: only the key is needed, and this runs twice per provisioning run.
    const key = new NodeX509Certificate(certDer).publicKey;
    return verify('sha256', challenge, { key, dsaEncoding: 'der' }, sigDer);
  } catch {
    // Unparseable certificate or signature bytes prove nothing: that is a failed proof, not a crash.
    return false;
  }
}

/** What the run record keeps of a certificate. Throws (a bug) if `der` is not a certificate. */
export function certificateRecord(der: Uint8Array): Omit<CertificateRecord, 'mode'> {
  const cert = new x509.X509Certificate(new Uint8Array(der));
  return {
    serial: cert.serialNumber.toLowerCase(),
    fingerprintSha256: createHash('sha256').update(new Uint8Array(cert.rawData)).digest('hex'),
    subject: formatName(cert.subjectName),
    notBefore: cert.notBefore.toISOString(),
    notAfter: cert.notAfter.toISOString(),
    issuer: formatName(cert.issuerName),
  };
}
