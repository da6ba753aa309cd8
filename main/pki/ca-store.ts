/**
 * The station CA's files under `<dataDir>/ca/`: reading them back (certificates only — no passphrase needed), the
 * summary `fieldline ca show` prints, and installing a new CA as a whole. A CA is assembled in a staging folder and
 * renamed into place, so an interrupted init or import leaves either the old CA or the new one, never a mix; a
 * replaced CA is moved aside (its key stays encrypted) because devices in the field still carry its certificates.
 */
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { randomBytes } from 'node:crypto';
import { access, mkdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { FieldlineError } from '../errors';
import { formatName } from './dn';
import { caPaths, CA_DIR, DIR_MODE, type CaPaths } from './files';
import { readKeyRef } from './pkcs11-key';
import { sha256Hex } from './x509-crypto';

export interface CaCertificateInfo {
  subject: string;
  issuer: string;
  serial: string;
  /** SHA-256 of the DER, lower-case hex. */
  fingerprint: string;
  notBefore: string;
  notAfter: string;
  path: string;
}

export interface CrlInfo {
  path: string;
  thisUpdate: string;
  nextUpdate?: string;
  revoked: number;
}

/** Where the intermediate's private key lives: sealed in a file, or in a PKCS#11 token (the reference file's path). */
export type CaKeyStore =
  | { store: 'file'; path: string; encrypted: true }
  | { store: 'pkcs11'; path: string; module: string; token: string; tokenSerial: string; label: string; id: string };

export interface CaInfo {
  dir: string;
  root: CaCertificateInfo;
  intermediate: CaCertificateInfo;
  /** The sealed key file, or the token key's reference file. */
  keyPath: string;
  key: CaKeyStore;
  crlPath: string;
  /** Absent when the CRL file is missing (the next revoke or open of the CA writes it). */
  crl?: CrlInfo;
}

/** The certificates of an installed CA, parsed. */
export interface CaMaterial {
  paths: CaPaths;
  root: x509.X509Certificate;
  intermediate: x509.X509Certificate;
  /** Certificates between the intermediate and the root (an organisation's issuing CAs), issuer of the intermediate first. */
  issuers: x509.X509Certificate[];
  rootPem: string;
  intermediatePem: string;
}

/** All CERTIFICATE blocks of a PEM text; other blocks (keys, CRLs) are ignored. */
export function readCertificates(pem: string): x509.X509Certificate[] {
  return x509.PemConverter.decodeWithHeaders(pem)
    .filter((block) => block.type === 'CERTIFICATE')
    .map((block) => new x509.X509Certificate(block.rawData));
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

async function readCaFile(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new FieldlineError('CA_NOT_INITIALIZED', `${path} is missing`, { path }, { cause: err });
    }
    throw err;
  }
}

export async function loadCaMaterial(dataDir: string): Promise<CaMaterial> {
  const paths = caPaths(dataDir);
  const rootPem = await readCaFile(paths.root);
  const intermediatePem = await readCaFile(paths.intermediate);
  let roots: x509.X509Certificate[];
  let chain: x509.X509Certificate[];
  try {
    roots = readCertificates(rootPem);
    chain = readCertificates(intermediatePem);
  } catch (err) {
    throw new FieldlineError('CA_FILES_INVALID', `a certificate in ${paths.dir} does not parse`, { path: paths.dir }, { cause: err });
  }
  const [root] = roots;
  const [intermediate, ...issuers] = chain;
  if (roots.length !== 1 || !root) throw new FieldlineError('CA_FILES_INVALID', `${paths.root} must hold exactly one certificate`);
  if (!intermediate) throw new FieldlineError('CA_FILES_INVALID', `${paths.intermediate} holds no certificate`);
  return { paths, root, intermediate, issuers, rootPem, intermediatePem };
}

export function certificateInfo(cert: x509.X509Certificate, path: string): CaCertificateInfo {
  return {
    subject: formatName(cert.subjectName),
    issuer: formatName(cert.issuerName),
    serial: cert.serialNumber,
    fingerprint: sha256Hex(cert.rawData),
    notBefore: cert.notBefore.toISOString(),
    notAfter: cert.notAfter.toISOString(),
    path,
  };
}

async function crlInfo(path: string): Promise<CrlInfo | undefined> {
  if (!(await exists(path))) return undefined;
  try {
    const crl = new x509.X509Crl(await readFile(path, 'utf8'));
    const next = crl.nextUpdate;
    return { path, thisUpdate: crl.thisUpdate.toISOString(), ...(next ? { nextUpdate: next.toISOString() } : {}), revoked: crl.entries.length };
  } catch (err) {
    throw new FieldlineError('CA_FILES_INVALID', `${path} is not a CRL`, { path }, { cause: err });
  }
}

/** What the station CA is, without its passphrase. CA_NOT_INITIALIZED when there is none. */
export async function caInfo(dataDir: string): Promise<CaInfo> {
  const m = await loadCaMaterial(dataDir);
  const ref = await readKeyRef(m.paths.keyRef);
  if (!ref && !(await exists(m.paths.key))) throw new FieldlineError('CA_NOT_INITIALIZED', `${m.paths.key} is missing`);
  const key: CaKeyStore = ref
    ? { store: 'pkcs11', path: m.paths.keyRef, module: ref.module, token: ref.token.label, tokenSerial: ref.token.serial, label: ref.key.label, id: ref.key.id }
    : { store: 'file', path: m.paths.key, encrypted: true };
  const crl = await crlInfo(m.paths.crl);
  return {
    dir: m.paths.dir,
    root: certificateInfo(m.root, m.paths.root),
    intermediate: certificateInfo(m.intermediate, m.paths.intermediate),
    keyPath: key.path,
    key,
    crlPath: m.paths.crl,
    ...(crl ? { crl } : {}),
  };
}

/** True when `<dataDir>/ca/` holds any of a CA's files. */
export async function caExists(dataDir: string): Promise<boolean> {
  const paths = caPaths(dataDir);
  for (const path of [paths.root, paths.intermediate, paths.key, paths.keyRef]) if (await exists(path)) return true;
  return false;
}

export function refuseExisting(dataDir: string): FieldlineError {
  return new FieldlineError('CA_EXISTS', `a CA is already installed in ${caPaths(dataDir).dir}`);
}

/**
 * Builds a CA in a staging folder with `write` and swaps it in. Without `force`, an existing CA stops it (checked
 * again here, after the slow part, in case another process installed one meanwhile). Returns the folder the old CA
 * was moved to, if any.
 */
export async function installCa(
  dataDir: string,
  force: boolean,
  write: (staging: CaPaths) => Promise<void>,
  now: Date = new Date(),
): Promise<{ replaced?: string }> {
  const staging = caPaths(dataDir, join(dataDir, `${CA_DIR}.staging-${randomBytes(4).toString('hex')}`));
  await mkdir(dataDir, { recursive: true, mode: DIR_MODE });
  await mkdir(staging.dir, { mode: DIR_MODE });
  try {
    await write(staging);
    const target = caPaths(dataDir);
    let replaced: string | undefined;
    if (await exists(target.dir)) {
      if (!force && (await caExists(dataDir))) throw refuseExisting(dataDir);
      // The random tail keeps two replacements within one clock tick (or under a fixed test clock) apart.
      replaced = join(dataDir, `${CA_DIR}-replaced-${now.toISOString().replace(/[:.]/g, '-')}-${randomBytes(2).toString('hex')}`);
      await rename(target.dir, replaced);
    }
    await rename(staging.dir, target.dir);
    return replaced ? { replaced } : {};
  } catch (err) {
    await rm(staging.dir, { recursive: true, force: true });
    throw err;
  }
}
