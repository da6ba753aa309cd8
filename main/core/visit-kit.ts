/**
 * The visit kit as the rest of the station reads it (issue #16): a device's history, the profile it was provisioned
 * with, the releases it should run and whether a certificate is revoked — from the kit `fieldline visit prepare`
 * pulled (main/sync/visit-store.ts) merged with what this station holds itself. Without a kit, or with a kit that
 * cannot be read, every answer comes from the local store, the pulled releases and the CA alone: a technician
 * offline with nothing prepared still sees what this station knows.
 *
 * Synchronous on purpose: the device page, `fieldline service` and the console ask it in the middle of their work,
 * and everything it reads is a local file of capped size or the store (better-sqlite3). The manifest is read again
 * when it changed on disk (a prepare in another process), and the kit's device files are read when asked for.
 */
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { stationRevocationListSchema, type StationRevocationList } from '../contract/registry/revocations';
import type { RunRecord } from '../contract/run-record';
import { isFieldlineError } from '../errors';
import { silentLogger, type Logger } from '../log';
import { listRevoked, type RevokedCertificate } from '../pki/crl';
import { formatName } from '../pki/dn';
import { caPaths } from '../pki/files';
import { LOAD_LIMITS } from '../profiles/limits';
import { ranProfilePath } from '../profiles/ran-profiles';
import { hashRegularFileSync } from '../profiles/regular-file';
import type { Store } from '../store/types';
import { artifactPath, followedChannelSync, loadReleaseIndexSync } from '../sync/release-store';
import { kitFilePath, readKitDevice, readKitJson, readVisitManifest, visitDir, visitManifestPath, VISIT_LIMITS, type VisitManifest } from '../sync/visit-store';
import { PROFILES_FOLDER } from './profiles';

/** A kit older than this is flagged: releases and revocations may have moved on since. */
export const VISIT_KIT_STALE_MS = 7 * 24 * 3600 * 1000;

export interface VisitKitStatus {
  /** Where the kit is (the data directory's visit folder). */
  dir: string;
  preparedAt: string;
  /** Milliseconds since preparedAt, at the time of the call. */
  ageMs: number;
  /** Older than VISIT_KIT_STALE_MS. */
  stale: boolean;
  registry: string;
  scope: { kind: 'site'; site: string } | { kind: 'devices'; requested: number };
  /** The channel whose releases it holds, when the preparing station followed one. */
  channel?: string;
  counts: { devices: number; records: number; serviceRecords: number; profiles: number; firmware: number; revocationLists: number; missing: number };
  /** What prepare could not pull (the kit is usable without it). */
  warnings: string[];
}

export type HistorySource = 'store' | 'kit';
export interface HistoryEntry {
  record: RunRecord;
  source: HistorySource;
}

export interface ReleasedArtifact {
  path: string;
  version: string;
  sha256: string;
  channel: string;
}

export interface RevocationVerdict {
  revoked: boolean;
  revokedAt?: string;
  reason?: string;
  /** "station" (this station's CA), or "kit:<station>" (that station's list in the kit). */
  source?: string;
}

export interface VisitKit {
  status(): VisitKitStatus | undefined;
  /** The device's records: the kit's and this store's, merged by record id (store wins), oldest first. */
  history(serial: string): HistoryEntry[];
  /** The newest passed provisioning run (no `service` section) in that history. */
  provisionedBy(serial: string): HistoryEntry | undefined;
  /** A profile file whose bytes hash to sha256: the kit's, the pulled releases', the runs' kept copies, or the library's. */
  profilePath(sha256: string): string | undefined;
  /** A firmware image whose bytes hash to sha256: the kit's copy, else the station's pulled firmware release. */
  firmwarePath(sha256: string): string | undefined;
  /** The newest released profile with this name (kit or pulled releases). */
  latestProfile(name: string): ReleasedArtifact | undefined;
  latestFirmware(name: string): ReleasedArtifact | undefined;
  /** Whether a certificate is revoked: this station's CA register first, then the kit's revocation lists. */
  revocation(cert: { serial: string; fingerprintSha256: string; issuer: string }): RevocationVerdict;
}

export interface VisitKitOptions {
  dataDir: string;
  store: () => Pick<Store, 'listRuns' | 'getRun' | 'listCertificates'>;
  /** The example profiles the station's library offers beside the imported ones. */
  examplesDir?: string;
  now?: () => number;
  logger?: Logger;
}

const PROFILE_CAP = { maxBytes: LOAD_LIMITS.profileBytes, what: 'profile' };
/** Profile files looked at in one folder: the library's own bound. */
const MAX_FOLDER_FILES = 1000;

/** Lower-case hex without leading zeros, as the CA's list and the registry's lists write serials. */
const normalSerial = (serial: string): string => serial.replace(/[:\s]/g, '').toLowerCase().replace(/^0+(?=.)/, '');

const byStart = (a: HistoryEntry, b: HistoryEntry): number =>
  a.record.startedAt < b.record.startedAt ? -1 : a.record.startedAt > b.record.startedAt ? 1 : a.record.id < b.record.id ? -1 : a.record.id > b.record.id ? 1 : 0;

export function createVisitKit(options: VisitKitOptions): VisitKit {
  const { dataDir } = options;
  const now = options.now ?? Date.now;
  const logger = options.logger ?? silentLogger;
  let cached: { stamp: string; manifest: VisitManifest | undefined } | undefined;
  const hashes = new Map<string, { stamp: string; sha256: string }>();
  let revocationLists: { kit: string; lists: StationRevocationList[] } | undefined;
  const issuerCache: { last: IssuerCache } = { last: undefined };

  /** The current manifest, read again when the file changed; a damaged kit counts as none (and is logged once). */
  const manifest = (): VisitManifest | undefined => {
    let stamp: string;
    try {
      const info = statSync(visitManifestPath(dataDir));
      stamp = `${info.ino}:${info.size}:${info.mtimeMs}`;
    } catch {
      cached = undefined;
      return undefined;
    }
    if (cached?.stamp === stamp) return cached.manifest;
    let read: VisitManifest | undefined;
    try {
      read = readVisitManifest(dataDir);
    } catch (err) {
      if (!isFieldlineError(err)) throw err;
      logger.warn('the visit kit cannot be read; working from the local store', { error: err.message });
      read = undefined;
    }
    cached = { stamp, manifest: read };
    return read;
  };

  /** The SHA-256 of a file, remembered while its size and time stay the same; undefined when it cannot be read. */
  const hashOf = (path: string, maxBytes: number): string | undefined => {
    try {
      const info = statSync(path);
      const stamp = `${info.ino}:${info.size}:${info.mtimeMs}`;
      const known = hashes.get(path);
      if (known?.stamp === stamp) return known.sha256;
      const sha256 = hashRegularFileSync(path, { ...PROFILE_CAP, maxBytes });
      hashes.set(path, { stamp, sha256 });
      return sha256;
    } catch {
      return undefined;
    }
  };

  const storeHistory = (serial: string): HistoryEntry[] => {
    const store = options.store();
    return store
      .listRuns({ serial })
      .map((summary) => store.getRun(summary.id))
      .filter((record): record is RunRecord => record !== undefined)
      .map((record) => ({ record, source: 'store' as const }));
  };

  const kitHistory = (serial: string): HistoryEntry[] => {
    const m = manifest();
    const entry = m?.devices.find((d) => d.serial === serial);
    if (!m || !entry) return [];
    try {
      const reply = readKitDevice(dataDir, m, entry.file);
      if (reply.serial !== serial) return [];
      return [...reply.runs, ...reply.serviceRecords].map((record) => ({ record: stripReceipt(record), source: 'kit' as const }));
    } catch (err) {
      if (!isFieldlineError(err)) throw err;
      logger.warn('a device file of the visit kit cannot be read; its history comes from the local store', { serial, error: err.message });
      return [];
    }
  };

  const history = (serial: string): HistoryEntry[] => {
    const merged = new Map<string, HistoryEntry>();
    for (const e of kitHistory(serial)) merged.set(e.record.id, e);
    // The store wins: it holds this station's own copy, possibly newer than what the registry had when the kit was made.
    for (const e of storeHistory(serial)) merged.set(e.record.id, e);
    return [...merged.values()].sort(byStart);
  };

  const libraryFolders = (): string[] => [join(dataDir, PROFILES_FOLDER), ...(options.examplesDir ? [resolve(options.examplesDir)] : [])];

  const profilePath = (sha256: string): string | undefined => {
    const wanted = sha256.toLowerCase();
    if (!/^[0-9a-f]{64}$/.test(wanted)) return undefined;
    const m = manifest();
    const inKit = m?.artifacts.find((a) => a.kind === 'profile' && a.sha256 === wanted);
    if (m && inKit) {
      const path = kitFilePath(dataDir, m, inKit.file);
      if (hashOf(path, LOAD_LIMITS.profileBytes) === wanted) return path;
    }
    const pulled = artifactPath(dataDir, { kind: 'profile', sha256: wanted });
    if (hashOf(pulled, LOAD_LIMITS.profileBytes) === wanted) return pulled;
    // The copy this station kept of a profile one of its own runs used, released or not.
    const kept = ranProfilePath(dataDir, wanted);
    if (kept && hashOf(kept, LOAD_LIMITS.profileBytes) === wanted) return kept;
    for (const folder of libraryFolders()) {
      let names: string[];
      try {
        names = readdirSync(folder).filter((n) => /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}\.ya?ml$/.test(n)).sort().slice(0, MAX_FOLDER_FILES);
      } catch {
        continue;
      }
      for (const name of names) {
        const path = join(folder, name);
        if (hashOf(path, LOAD_LIMITS.profileBytes) === wanted) return path;
      }
    }
    return undefined;
  };

  const firmwarePath = (sha256: string): string | undefined => {
    const wanted = sha256.toLowerCase();
    if (!/^[0-9a-f]{64}$/.test(wanted)) return undefined;
    const m = manifest();
    const inKit = m?.artifacts.find((a) => a.kind === 'firmware' && a.sha256 === wanted);
    if (m && inKit) {
      const path = kitFilePath(dataDir, m, inKit.file);
      if (hashOf(path, LOAD_LIMITS.imageBytes) === wanted) return path;
    }
    const pulled = artifactPath(dataDir, { kind: 'firmware', sha256: wanted });
    return hashOf(pulled, LOAD_LIMITS.imageBytes) === wanted ? pulled : undefined;
  };

  /** The newest release of this kind and name: the kit's and the followed channel's pulled ones, newest published last wins. */
  const latest = (kind: 'profile' | 'firmware', name: string): ReleasedArtifact | undefined => {
    const candidates: Array<ReleasedArtifact & { publishedAt: string }> = [];
    const m = manifest();
    const inKit = m ? m.artifacts.map((a) => ({ a, kit: m })) : [];
    for (const { a, kit } of inKit) {
      if (a.kind !== kind || a.release?.name !== name) continue;
      const path = kitFilePath(dataDir, kit, a.file);
      if (hashOf(path, a.size) === a.sha256) candidates.push({ path, version: a.release.version, sha256: a.sha256, channel: a.release.channel, publishedAt: a.release.publishedAt });
    }
    try {
      const channel = followedChannelSync(dataDir);
      if (channel !== undefined) {
        for (const r of loadReleaseIndexSync(dataDir).releases) {
          const mf = r.manifest;
          if (r.refused !== undefined || mf.channel !== channel || mf.kind !== kind || mf.name !== name) continue;
          const path = artifactPath(dataDir, mf);
          if (hashOf(path, mf.size) === mf.sha256) candidates.push({ path, version: mf.version, sha256: mf.sha256, channel, publishedAt: r.publishedAt });
        }
      }
    } catch (err) {
      if (!isFieldlineError(err)) throw err;
      logger.warn('the pulled releases cannot be read', { error: err.message });
    }
    const newest = candidates.sort((a, b) => (a.publishedAt < b.publishedAt ? -1 : a.publishedAt > b.publishedAt ? 1 : 0)).at(-1);
    return newest && { path: newest.path, version: newest.version, sha256: newest.sha256, channel: newest.channel };
  };

  const stationVerdict = (cert: { serial: string; fingerprintSha256: string; issuer: string }): RevocationVerdict | undefined => {
    const serial = normalSerial(cert.serial);
    let listed: RevokedCertificate[] = [];
    try {
      listed = listRevoked(dataDir);
    } catch (err) {
      if (!isFieldlineError(err)) throw err;
    }
    const entry = listed.find((e) => e.serial === serial);
    const registered = options.store().listCertificates({ fingerprint: cert.fingerprintSha256.toLowerCase() });
    // The register knows the certificate by its fingerprint; the CA's list by serial, which means something only for
    // a certificate this CA issued.
    if (registered.some((c) => c.state === 'revoked') || (entry && cert.issuer === stationIssuer(dataDir, issuerCache))) {
      return { revoked: true, ...(entry ? { revokedAt: entry.time, reason: entry.reason } : {}), source: 'station' };
    }
    return undefined;
  };

  const kitLists = (): StationRevocationList[] => {
    const m = manifest();
    if (!m) return [];
    if (revocationLists?.kit === m.kit) return revocationLists.lists;
    const lists: StationRevocationList[] = [];
    for (const r of m.revocations) {
      try {
        lists.push(readKitJson(dataDir, m, r.file, stationRevocationListSchema, VISIT_LIMITS.revocationBytes));
      } catch (err) {
        if (!isFieldlineError(err)) throw err;
        logger.warn('a revocation list of the visit kit cannot be read', { station: r.station, error: err.message });
      }
    }
    revocationLists = { kit: m.kit, lists };
    return lists;
  };

  const revocation = (cert: { serial: string; fingerprintSha256: string; issuer: string }): RevocationVerdict => {
    const own = stationVerdict(cert);
    if (own) return own;
    const serial = normalSerial(cert.serial);
    const fingerprint = cert.fingerprintSha256.toLowerCase();
    for (const list of kitLists()) {
      // A serial is unique only per issuer; a fingerprint names the certificate itself.
      const entry = list.entries.find((e) => e.fingerprintSha256 === fingerprint || (list.issuer === cert.issuer && e.serial === serial));
      if (entry) return { revoked: true, revokedAt: entry.revokedAt, reason: entry.reason, source: `kit:${list.station}` };
    }
    return { revoked: false };
  };

  const status = (): VisitKitStatus | undefined => {
    const m = manifest();
    if (!m) return undefined;
    const ageMs = Math.max(0, now() - Date.parse(m.preparedAt));
    return {
      dir: visitDir(dataDir),
      preparedAt: m.preparedAt,
      ageMs,
      stale: ageMs > VISIT_KIT_STALE_MS,
      registry: m.registry,
      scope: m.scope,
      ...(m.channel !== undefined ? { channel: m.channel } : {}),
      counts: {
        devices: m.devices.length,
        records: m.devices.reduce((n, d) => n + d.runs, 0),
        serviceRecords: m.devices.reduce((n, d) => n + d.serviceRecords, 0),
        profiles: new Set(m.artifacts.filter((a) => a.kind === 'profile').map((a) => a.sha256)).size,
        firmware: new Set(m.artifacts.filter((a) => a.kind === 'firmware').map((a) => a.sha256)).size,
        revocationLists: m.revocations.length,
        missing: m.missing.length,
      },
      warnings: m.warnings,
    };
  };

  return {
    status,
    history,
    provisionedBy: (serial) => history(serial).filter((e) => e.record.outcome === 'passed' && e.record.service === undefined).at(-1),
    profilePath,
    firmwarePath,
    latestProfile: (name) => latest('profile', name),
    latestFirmware: (name) => latest('firmware', name),
    revocation,
  };
}

/** The registry's receipt fields are not part of the record. */
function stripReceipt<T extends RunRecord>(record: T & { receivedAt?: string; receivedFrom?: string }): RunRecord {
  const { receivedAt: _at, receivedFrom: _from, ...rest } = record;
  return rest;
}

type IssuerCache = { stamp: string; issuer: string | undefined } | undefined;

/** The DN this station's CA signs device certificates with (its intermediate's subject), or undefined without a CA. */
function stationIssuer(dataDir: string, cache: { last: IssuerCache }): string | undefined {
  const path = caPaths(dataDir).intermediate;
  try {
    const info = statSync(path);
    const stamp = `${info.ino}:${info.size}:${info.mtimeMs}`;
    if (cache.last?.stamp === stamp) return cache.last.issuer;
    if (info.size > 1024 * 1024) return undefined;
    const block = x509.PemConverter.decodeWithHeaders(readFileSync(path, 'utf8')).find((b) => b.type === 'CERTIFICATE');
    const issuer = block ? formatName(new x509.X509Certificate(block.rawData).subjectName) : undefined;
    cache.last = { stamp, issuer };
    return issuer;
  } catch {
    return undefined;
  }
}
