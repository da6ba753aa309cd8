/**
 * Checks an intermediate CA handed over by the organisation before the station adopts it: the key must belong to
 * the certificate, the certificate must be allowed to sign certificates and CRLs, and the chain given with it must
 * lead, signature by signature, to a self-signed root. Everything is checked in memory; nothing is written here.
 */
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { FieldlineError } from '../errors';
import { readCertificates } from './ca-store';
import { formatName, sameName } from './dn';
import { describeKey, importCaKey, publicKeyFromSpki, signingParams, x509Crypto, type CaSigningKey } from './x509-crypto';

export interface ImportMaterial {
  certPem: string;
  /** The intermediate's private key (PEM); absent when the key is in a PKCS#11 token (checkImport's `tokenKey`). */
  keyPem?: string;
  /** The root and any issuers between it and the intermediate, in any order. */
  chainPem: string;
  /** For a key file that is itself encrypted (BEGIN ENCRYPTED PRIVATE KEY). */
  keyPassphrase?: string;
}

export interface CheckedImport {
  intermediate: x509.X509Certificate;
  issuers: x509.X509Certificate[];
  root: x509.X509Certificate;
  /** The key as PKCS#8 DER, for sealing (absent for a token key). The caller zeroes it. */
  pkcs8?: Uint8Array;
  key: CaSigningKey;
}

function refuse(message: string, cause?: unknown): FieldlineError {
  return new FieldlineError('CA_IMPORT_INVALID', message, {}, cause === undefined ? undefined : { cause });
}

function certificates(pem: string, what: string): x509.X509Certificate[] {
  try {
    return readCertificates(pem);
  } catch (err) {
    throw refuse(`the ${what} file holds a certificate that does not parse`, err);
  }
}

/** PKCS#8 "ENCRYPTED PRIVATE KEY" or a legacy OpenSSL-encrypted PEM ("Proc-Type: 4,ENCRYPTED"). */
export function isEncryptedKeyPem(pem: string): boolean {
  return /-----BEGIN ENCRYPTED PRIVATE KEY-----|Proc-Type:\s*4,ENCRYPTED/.test(pem);
}

function readKey(pem: string, passphrase: string | undefined): KeyObject {
  // Checked up front: OpenSSL reports a missing passphrase only as "interrupted or cancelled".
  if (passphrase === undefined && isEncryptedKeyPem(pem)) throw refuse('the key file is encrypted: give its passphrase');
  try {
    return createPrivateKey(passphrase === undefined ? { key: pem, format: 'pem' } : { key: pem, format: 'pem', passphrase });
  } catch (err) {
    throw refuse(passphrase === undefined ? 'the key file holds no readable private key' : 'the key file does not open with that passphrase', err);
  }
}

function requireValidNow(cert: x509.X509Certificate, now: Date): void {
  if (now < cert.notBefore || now > cert.notAfter) {
    throw refuse(`"${formatName(cert.subjectName)}" is valid ${cert.notBefore.toISOString()} to ${cert.notAfter.toISOString()}, not now`);
  }
}

/** `below`: how many CA certificates will sit between `cert` and a device certificate (its pathLen must allow them). */
function requireCa(cert: x509.X509Certificate, usages: x509.KeyUsageFlags, below: number): void {
  const name = formatName(cert.subjectName);
  const bc = cert.getExtension(x509.BasicConstraintsExtension);
  if (!bc?.ca) throw refuse(`"${name}" is not a CA certificate (basicConstraints CA:TRUE is missing)`);
  if (bc.pathLength !== undefined && bc.pathLength < below) {
    throw refuse(`"${name}" allows ${bc.pathLength} CA certificate(s) below it, and this chain puts ${below} there (pathLen)`);
  }
  const ku = cert.getExtension(x509.KeyUsagesExtension);
  // RFC 5280 §4.2.1.3: a CA certificate without keyUsage is allowed, and then any usage is.
  if (ku && (ku.usages & usages) !== usages) throw refuse(`"${name}" may not sign certificates and CRLs (keyUsage keyCertSign, cRLSign)`);
}

/** The issuer of `cert` among `candidates`: same name and a signature that verifies with its key. */
async function findIssuer(cert: x509.X509Certificate, candidates: readonly x509.X509Certificate[]): Promise<x509.X509Certificate | undefined> {
  for (const candidate of candidates) {
    if (!sameName(candidate.subjectName, cert.issuerName)) continue;
    if (await cert.verify({ publicKey: candidate, signatureOnly: true }, x509Crypto)) return candidate;
  }
  return undefined;
}

/** `tokenKey`: the intermediate's key already in a PKCS#11 token, used instead of `keyPem`. */
export async function checkImport(material: ImportMaterial, now: Date, tokenKey?: CaSigningKey): Promise<CheckedImport> {
  const [intermediate, ...extra] = certificates(material.certPem, 'certificate');
  if (!intermediate) throw refuse('the certificate file holds no certificate');
  const candidates = [...certificates(material.chainPem, 'chain'), ...extra];

  let keyObject: KeyObject | undefined;
  if (!tokenKey) {
    if (material.keyPem === undefined) throw refuse('give the intermediate\'s private key (or the PKCS#11 token that holds it)');
    keyObject = readKey(material.keyPem, material.keyPassphrase);
    if (!signingParams(keyObject)) throw refuse(`a ${describeKey(keyObject)} key cannot be a station CA key (EC P-256/384/521 or RSA ≥ 2048)`);
  }
  const publicKey = tokenKey?.publicKey ?? createPublicKey(keyObject as KeyObject);
  if (!publicKeyFromSpki(new Uint8Array(intermediate.publicKey.rawData)).equals(publicKey)) {
    throw refuse(`the ${tokenKey ? 'token\'s key' : 'key'} does not belong to "${formatName(intermediate.subjectName)}"`);
  }
  if (await intermediate.isSelfSigned(x509Crypto)) {
    throw refuse('that is a self-signed root: import an intermediate issued by it, and keep the root key off the station');
  }
  requireCa(intermediate, x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, 0);
  requireValidNow(intermediate, now);

  const issuers: x509.X509Certificate[] = [];
  let current = intermediate;
  for (let depth = 0; ; depth++) {
    const issuer = depth <= candidates.length ? await findIssuer(current, candidates) : undefined;
    if (!issuer) throw refuse(`the chain holds no certificate that signed "${formatName(current.subjectName)}" (issuer "${formatName(current.issuerName)}")`);
    requireCa(issuer, x509.KeyUsageFlags.keyCertSign, depth + 1);
    requireValidNow(issuer, now);
    if (await issuer.isSelfSigned(x509Crypto)) {
      if (tokenKey) return { intermediate, issuers, root: issuer, key: tokenKey };
      const pkcs8 = new Uint8Array((keyObject as KeyObject).export({ type: 'pkcs8', format: 'der' }));
      return { intermediate, issuers, root: issuer, pkcs8, key: await importCaKey(pkcs8) };
    }
    issuers.push(issuer);
    current = issuer;
  }
}
