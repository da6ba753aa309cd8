/**
 * The station CA: made (`initCa`) or adopted (`importCa`) once, described without its passphrase (`caInfo`), and
 * opened with the passphrase into a `Signer` (`openStationCa`) that issues device certificates and revokes those of
 * rolled-back runs. Files: `<dataDir>/ca/{root.pem, intermediate.pem, intermediate.key.enc, intermediate.crl.pem,
 * revoked.json}` — see files.ts, ca-store.ts, crl.ts.
 *
 * The intermediate's key may instead live in a PKCS#11 token (`pkcs11` options): made there at init, or found there
 * at import, and never exported. The CA folder then holds `intermediate.key.pkcs11.json` — where the key is, no
 * secret — instead of the sealed key, the token's user PIN opens the CA, and every certificate and CRL is signed by
 * the token, through a worker thread that bounds every PKCS#11 call (pkcs11-remote.ts). A development root's key
 * is never stored either way (ca-create.ts), so it needs no token.
 */
import type * as x509 from '@peculiar/x509';
import { FieldlineError } from '../errors';
import { silentLogger, type Logger } from '../log';
import { createDevelopmentCa, createDevelopmentChainFor } from './ca-create';
import { checkImport, type ImportMaterial } from './ca-import';
import { caExists, caInfo, installCa, loadCaMaterial, refuseExisting, type CaInfo, type CaMaterial } from './ca-store';
import { crlNeedsRenewal, emptyRevocationList, normalizeSerial, readRevocationList, writeRevocations, type RevokedCertificate } from './crl';
import { formatName } from './dn';
import { withDirLock } from './dir-lock';
import { writeFileAtomic, type CaPaths } from './files';
import { buildLeafCertificate } from './issue';
import { readSealedKey, requireStrongPassphrase, writeSealedKey } from './key-vault';
import { keyRefOf, readKeyRef, tokenSigningKey, writeKeyRef, type Pkcs11KeyRef } from './pkcs11-key';
import { openRemoteToken, type RemoteTokenOptions } from './pkcs11-remote';
import type { IssueRequest, IssuedCertificate, Signer } from './types';
import { importCaKey, publicKeyFromSpki, sha256Hex, toPem, type CaSigningKey } from './x509-crypto';

export { caInfo, type CaInfo, type CaCertificateInfo, type CrlInfo } from './ca-store';
export { listRevoked, type RevokedCertificate } from './crl';

export interface CaOptions {
  /** Injected for tests; defaults to the system clock. */
  clock?: () => Date;
  logger?: Logger;
}

/** Where the intermediate's key lives in a PKCS#11 token, and the user PIN that opens it (used once, never stored). */
export interface Pkcs11CaOptions extends Pick<RemoteTokenOptions, 'module' | 'tokenLabel' | 'pin' | 'timeoutMs'> {
  /** init: the label of the key to make (default DEFAULT_KEY_LABEL); import: the key to use, by label and/or id. */
  keyLabel?: string;
  /** import: the key's CKA_ID (hex). */
  keyId?: string;
}

export const DEFAULT_KEY_LABEL = 'fieldline-station-ca';

/** The file CA seals its key with a passphrase; a token CA needs none (the token's PIN guards the key). */
type KeyStorage = { passphrase: string; pkcs11?: undefined } | { pkcs11: Pkcs11CaOptions; passphrase?: undefined };

export type InitCaOptions = CaOptions & KeyStorage & {
  organization?: string;
  force?: boolean;
};

export type ImportCaOptions = CaOptions & ImportMaterial & KeyStorage & {
  force?: boolean;
};

export type InstalledCa = CaInfo & { /** Where the CA this one replaced was moved (with --force). */ replaced?: string };

interface NewCa {
  root: x509.X509Certificate;
  intermediate: x509.X509Certificate;
  issuers: readonly x509.X509Certificate[];
  key: CaSigningKey;
  /** What goes on disk for the key: the sealed key, or the reference to the token's. */
  keyFile: { pkcs8: Uint8Array; passphrase: string } | { ref: Pkcs11KeyRef };
}

async function install(dataDir: string, ca: NewCa, options: { force?: boolean; now: Date }): Promise<{ replaced?: string }> {
  return installCa(
    dataDir,
    options.force ?? false,
    async (staging: CaPaths) => {
      await writeFileAtomic(staging.root, toPem(ca.root.rawData, 'CERTIFICATE'));
      await writeFileAtomic(staging.intermediate, [ca.intermediate, ...ca.issuers].map((c) => toPem(c.rawData, 'CERTIFICATE')).join(''));
      if ('ref' in ca.keyFile) await writeKeyRef(staging.keyRef, ca.keyFile.ref);
      else await writeSealedKey(staging.key, ca.keyFile.pkcs8, ca.keyFile.passphrase);
      // An empty CRL from day one, so relying parties configured with its path find one.
      await writeRevocations(staging, ca.intermediate, ca.key, emptyRevocationList(), options.now);
    },
    options.now,
  );
}

/** Makes a development root and station intermediate. CA_EXISTS unless `force`. */
export async function initCa(dataDir: string, options: InitCaOptions): Promise<InstalledCa> {
  if (options.pkcs11 === undefined) requireStrongPassphrase(options.passphrase);
  // Checked before the key generation too, so the common mistake fails fast; installCa checks again at the swap.
  if (!options.force && (await caExists(dataDir))) throw refuseExisting(dataDir);
  const now = (options.clock ?? (() => new Date()))();
  const organization = options.organization === undefined ? {} : { organization: options.organization };
  if (options.pkcs11 !== undefined) return initTokenCa(dataDir, options.pkcs11, { ...options, now, organization });
  const dev = await createDevelopmentCa({ now, ...organization });
  try {
    const keyFile = { pkcs8: dev.intermediatePkcs8, passphrase: options.passphrase };
    const { replaced } = await install(dataDir, { ...dev, issuers: [], key: dev.intermediateKey, keyFile }, { ...options, now });
    (options.logger ?? silentLogger).info('station CA created', { subject: formatName(dev.intermediate.subjectName), fingerprint: sha256Hex(dev.intermediate.rawData) });
    return { ...(await caInfo(dataDir)), ...(replaced ? { replaced } : {}) };
  } finally {
    dev.intermediatePkcs8.fill(0);
  }
}

/** The key made in the token, the development chain for it, the CA installed — or the key removed again. */
async function initTokenCa(dataDir: string, pkcs11: Pkcs11CaOptions, options: CaOptions & { force?: boolean; now: Date; organization: { organization?: string } }): Promise<InstalledCa> {
  const session = await openRemoteToken(pkcs11);
  try {
    const tokenKey = await session.generateEcKey(pkcs11.keyLabel ?? DEFAULT_KEY_LABEL);
    try {
      const key = tokenSigningKey(session, tokenKey);
      const chain = await createDevelopmentChainFor(key.publicKey, { now: options.now, ...options.organization });
      const { replaced } = await install(dataDir, { ...chain, issuers: [], key, keyFile: { ref: keyRefOf(session, tokenKey) } }, options);
      (options.logger ?? silentLogger).info('station CA created', { subject: formatName(chain.intermediate.subjectName), fingerprint: sha256Hex(chain.intermediate.rawData), token: session.token.label, key: tokenKey.label });
      return { ...(await caInfo(dataDir)), ...(replaced ? { replaced } : {}) };
    } catch (err) {
      // A key no CA refers to would only block the next init under the same label.
      await session.destroyKey(tokenKey).catch(() => undefined);
      throw err;
    }
  } finally {
    await session.close();
  }
}

/** Adopts an intermediate CA issued by the organisation, after checking it (CA_IMPORT_INVALID). */
export async function importCa(dataDir: string, options: ImportCaOptions): Promise<InstalledCa> {
  if (options.pkcs11 === undefined) requireStrongPassphrase(options.passphrase);
  if (!options.force && (await caExists(dataDir))) throw refuseExisting(dataDir);
  const now = (options.clock ?? (() => new Date()))();
  if (options.pkcs11 !== undefined) {
    const pkcs11 = options.pkcs11;
    const session = await openRemoteToken(pkcs11);
    try {
      const tokenKey = await session.findKey({ ...(pkcs11.keyLabel === undefined ? {} : { label: pkcs11.keyLabel }), ...(pkcs11.keyId === undefined ? {} : { id: pkcs11.keyId.toLowerCase() }) });
      const checked = await checkImport(options, now, tokenSigningKey(session, tokenKey));
      return await installImported(dataDir, { ...checked, keyFile: { ref: keyRefOf(session, tokenKey) } }, { ...options, now });
    } finally {
      await session.close();
    }
  }
  const checked = await checkImport(options, now);
  try {
    return await installImported(dataDir, { ...checked, keyFile: { pkcs8: checked.pkcs8 as Uint8Array, passphrase: options.passphrase } }, { ...options, now });
  } finally {
    checked.pkcs8?.fill(0);
  }
}

async function installImported(dataDir: string, ca: NewCa, options: CaOptions & { force?: boolean; now: Date }): Promise<InstalledCa> {
  const { replaced } = await install(dataDir, ca, options);
  (options.logger ?? silentLogger).info('station CA imported', { subject: formatName(ca.intermediate.subjectName), fingerprint: sha256Hex(ca.intermediate.rawData) });
  return { ...(await caInfo(dataDir)), ...(replaced ? { replaced } : {}) };
}

export class StationCa implements Signer {
  readonly issuer: string;
  /**
   * Revocations one at a time: this object's own in a queue, and against every other holder of the CA folder — a
   * second StationCa in this process, another process — by the folder's lock file (two runs repairing at once lost an
   * entry to a read-modify-write race before). The queue spares this object's callers the lock's polling.
   */
  private revocations: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly material: CaMaterial,
    private readonly key: CaSigningKey,
    private readonly clock: () => Date,
    private readonly logger: Logger,
    /** Releases what holds the key (a token session); nothing for a file key. */
    private readonly release: () => Promise<void> = async () => undefined,
  ) {
    this.issuer = formatName(material.intermediate.subjectName);
  }

  async issue(request: IssueRequest): Promise<IssuedCertificate> {
    const leaf = await buildLeafCertificate({ request, issuer: this.material.intermediate, key: this.key, now: this.clock() });
    const der = leaf.der;
    // From what went into the certificate: parsing it back would cost as much as making it.
    const record = {
      serial: leaf.serial,
      fingerprintSha256: sha256Hex(der),
      subject: formatName(leaf.subject),
      notBefore: leaf.notBefore.toISOString(),
      notAfter: leaf.notAfter.toISOString(),
      issuer: this.issuer,
    };
    this.logger.info('certificate issued', { serial: record.serial, subject: record.subject });
    return { der, chain: [this.material.intermediate, ...this.material.issuers].map((c) => new Uint8Array(c.rawData)), record };
  }

  /** Adds the serial to revoked.json (once) and rewrites the CRL — also when it was already listed, to repair a lost CRL. */
  async revoke(serial: string, reason: string): Promise<void> {
    const normalized = normalizeSerial(serial);
    const { paths, intermediate } = this.material;
    return this.serialized(async () => {
      const now = this.clock();
      const list = await readRevocationList(paths);
      const listed = list.entries.some((e) => e.serial === normalized);
      const entries = listed ? list.entries : [...list.entries, { serial: normalized, reason, time: now.toISOString() }];
      await writeRevocations(paths, intermediate, this.key, { ...list, entries }, now);
      if (!listed) this.logger.info('certificate revoked', { serial: normalized, reason });
    });
  }

  async listRevoked(): Promise<RevokedCertificate[]> {
    return (await readRevocationList(this.material.paths)).entries;
  }

  /** Rewrites the CRL from revoked.json (a fresh thisUpdate/nextUpdate). */
  refreshCrl(): Promise<void> {
    const { paths, intermediate } = this.material;
    return this.serialized(async () => {
      await writeRevocations(paths, intermediate, this.key, await readRevocationList(paths), this.clock());
    });
  }

  private serialized<T>(job: () => Promise<T>): Promise<T> {
    const locked = (): Promise<T> => withDirLock(this.material.paths.dir, job);
    const run = this.revocations.then(locked, locked);
    this.revocations = run.catch(() => undefined);
    return run;
  }

  trustChainPem(): { root: string; intermediate: string } {
    return { root: this.material.rootPem, intermediate: this.material.intermediatePem };
  }

  /** After the revocations under way: closes the token session (a token CA). The signer signs nothing after it. */
  async close(): Promise<void> {
    await this.revocations;
    await this.release();
  }
}

/**
 * Unlocks the CA key (CA_PASSPHRASE when the passphrase is wrong) and returns the Signer. Renews the CRL when it is
 * missing or past half its lifetime, since a station that revokes nothing for a month would otherwise let it expire.
 */
export async function openStationCa(dataDir: string, passphrase: string, options: CaOptions & Pick<Pkcs11CaOptions, 'timeoutMs'> = {}): Promise<StationCa> {
  const material = await loadCaMaterial(dataDir);
  const ref = await readKeyRef(material.paths.keyRef);
  if (ref) return openTokenCa(material, ref, passphrase, options);
  const pkcs8 = await readSealedKey(material.paths.key, passphrase);
  let key: CaSigningKey;
  try {
    key = await importCaKey(pkcs8);
  } catch (err) {
    throw new FieldlineError('CA_FILES_INVALID', `${material.paths.key} holds a key this station cannot sign with`, {}, { cause: err });
  } finally {
    pkcs8.fill(0);
  }
  if (!key.publicKey.equals(publicKeyFromSpki(new Uint8Array(material.intermediate.publicKey.rawData)))) {
    throw new FieldlineError('CA_FILES_INVALID', `${material.paths.key} does not belong to the certificate in ${material.paths.intermediate}`);
  }
  const clock = options.clock ?? (() => new Date());
  const ca = new StationCa(material, key, clock, options.logger ?? silentLogger);
  if (await crlNeedsRenewal(material.paths, clock())) await ca.refreshCrl();
  return ca;
}

/** A token CA: the PIN opens a session on the token the reference names, whose key must still match the certificate. */
async function openTokenCa(material: CaMaterial, ref: Pkcs11KeyRef, pin: string, options: CaOptions & Pick<Pkcs11CaOptions, 'timeoutMs'>): Promise<StationCa> {
  const session = await openRemoteToken({
    module: ref.module,
    tokenLabel: ref.token.label,
    ...(ref.token.serial ? { tokenSerial: ref.token.serial } : {}),
    pin,
    ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
  });
  try {
    const key = tokenSigningKey(session, await session.findKey({ id: ref.key.id }));
    if (!key.publicKey.equals(publicKeyFromSpki(new Uint8Array(material.intermediate.publicKey.rawData)))) {
      throw new FieldlineError('CA_FILES_INVALID', `the key ${ref.key.id} on token "${ref.token.label}" does not belong to the certificate in ${material.paths.intermediate}`);
    }
    const clock = options.clock ?? (() => new Date());
    const ca = new StationCa(material, key, clock, options.logger ?? silentLogger, () => session.close());
    if (await crlNeedsRenewal(material.paths, clock())) await ca.refreshCrl();
    return ca;
  } catch (err) {
    await session.close();
    throw err;
  }
}
