/**
 * The station CA: made (`initCa`) or adopted (`importCa`) once, described without its passphrase (`caInfo`), and
 * opened with the passphrase into a `Signer` (`openStationCa`) that issues device certificates and revokes those of
 * rolled-back runs. Files: `<dataDir>/ca/{root.pem, intermediate.pem, intermediate.key.enc, intermediate.crl.pem,
 * revoked.json}` — see files.ts, ca-store.ts, crl.ts.
 */
import type * as x509 from '@peculiar/x509';
import { FieldlineError } from '../errors';
import { silentLogger, type Logger } from '../log';
import { createDevelopmentCa } from './ca-create';
import { checkImport, type ImportMaterial } from './ca-import';
import { caExists, caInfo, installCa, loadCaMaterial, refuseExisting, type CaInfo, type CaMaterial } from './ca-store';
import { crlNeedsRenewal, emptyRevocationList, normalizeSerial, readRevocationList, writeRevocations, type RevokedCertificate } from './crl';
import { formatName } from './dn';
import { withDirLock } from './dir-lock';
import { writeFileAtomic, type CaPaths } from './files';
import { buildLeafCertificate } from './issue';
import { readSealedKey, requireStrongPassphrase, writeSealedKey } from './key-vault';
import type { IssueRequest, IssuedCertificate, Signer } from './types';
import { importCaKey, publicKeyFromSpki, sha256Hex, toPem, type CaSigningKey } from './x509-crypto';

export { caInfo, type CaInfo, type CaCertificateInfo, type CrlInfo } from './ca-store';
export { listRevoked, type RevokedCertificate } from './crl';

export interface CaOptions {
  /** Injected for tests; defaults to the system clock. */
  clock?: () => Date;
  logger?: Logger;
}

export interface InitCaOptions extends CaOptions {
  passphrase: string;
  organization?: string;
  force?: boolean;
}

export interface ImportCaOptions extends CaOptions, ImportMaterial {
  passphrase: string;
  force?: boolean;
}

export type InstalledCa = CaInfo & { /** Where the CA this one replaced was moved (with --force). */ replaced?: string };

interface NewCa {
  root: x509.X509Certificate;
  intermediate: x509.X509Certificate;
  issuers: readonly x509.X509Certificate[];
  pkcs8: Uint8Array;
  key: CaSigningKey;
}

async function install(dataDir: string, ca: NewCa, options: { passphrase: string; force?: boolean; now: Date }): Promise<{ replaced?: string }> {
  return installCa(
    dataDir,
    options.force ?? false,
    async (staging: CaPaths) => {
      await writeFileAtomic(staging.root, toPem(ca.root.rawData, 'CERTIFICATE'));
      await writeFileAtomic(staging.intermediate, [ca.intermediate, ...ca.issuers].map((c) => toPem(c.rawData, 'CERTIFICATE')).join(''));
      await writeSealedKey(staging.key, ca.pkcs8, options.passphrase);
      // An empty CRL from day one, so relying parties configured with its path find one.
      await writeRevocations(staging, ca.intermediate, ca.key, emptyRevocationList(), options.now);
    },
    options.now,
  );
}

/** Makes a development root and station intermediate. CA_EXISTS unless `force`. */
export async function initCa(dataDir: string, options: InitCaOptions): Promise<InstalledCa> {
  requireStrongPassphrase(options.passphrase);
  // Checked before the key generation too, so the common mistake fails fast; installCa checks again at the swap.
  if (!options.force && (await caExists(dataDir))) throw refuseExisting(dataDir);
  const now = (options.clock ?? (() => new Date()))();
  const dev = await createDevelopmentCa({ now, ...(options.organization === undefined ? {} : { organization: options.organization }) });
  try {
    const { replaced } = await install(dataDir, { ...dev, issuers: [], pkcs8: dev.intermediatePkcs8, key: dev.intermediateKey }, { ...options, now });
    (options.logger ?? silentLogger).info('station CA created', { subject: formatName(dev.intermediate.subjectName), fingerprint: sha256Hex(dev.intermediate.rawData) });
    return { ...(await caInfo(dataDir)), ...(replaced ? { replaced } : {}) };
  } finally {
    dev.intermediatePkcs8.fill(0);
  }
}

/** Adopts an intermediate CA issued by the organisation, after checking it (CA_IMPORT_INVALID). */
export async function importCa(dataDir: string, options: ImportCaOptions): Promise<InstalledCa> {
  requireStrongPassphrase(options.passphrase);
  if (!options.force && (await caExists(dataDir))) throw refuseExisting(dataDir);
  const now = (options.clock ?? (() => new Date()))();
  const checked = await checkImport(options, now);
  try {
    const { replaced } = await install(dataDir, checked, { ...options, now });
    (options.logger ?? silentLogger).info('station CA imported', { subject: formatName(checked.intermediate.subjectName), fingerprint: sha256Hex(checked.intermediate.rawData) });
    return { ...(await caInfo(dataDir)), ...(replaced ? { replaced } : {}) };
  } finally {
    checked.pkcs8.fill(0);
  }
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
}

/**
 * Unlocks the CA key (CA_PASSPHRASE when the passphrase is wrong) and returns the Signer. Renews the CRL when it is
 * missing or past half its lifetime, since a station that revokes nothing for a month would otherwise let it expire.
 */
export async function openStationCa(dataDir: string, passphrase: string, options: CaOptions = {}): Promise<StationCa> {
  const material = await loadCaMaterial(dataDir);
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
