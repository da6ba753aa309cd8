/**
 * Where a service action learns a device's past: the core's visit kit reader (main/core/visit-kit.ts), which merges
 * the kit `fieldline visit prepare` pulled with this station's store, pulled releases, profile library and CA — so
 * without a kit (or offline) everything is answered from what the station holds. This adapter only adds what the
 * service actions need on top: newest-first history, where a profile was found, and firmware images by hash.
 */
import { relative, sep } from 'node:path';
import type { RunRecord } from '../../contract/run-record';
import type { Store } from '../../store/types';
import { visitDir } from '../../sync/visit-store';
import type { VisitKit } from '../visit-kit';

export type HistorySource = 'store' | 'kit';

export interface SourcedRun {
  record: RunRecord;
  source: HistorySource;
}

export interface ReleasedProfile {
  path: string;
  version: string;
  sha256: string;
}

export interface ServiceSources {
  /** Newest first, each record once (the store's copy wins: it may be newer than the kit's). */
  history(serial: string): SourcedRun[];
  /** The newest passed provisioning run (never a service record) in the store or the kit. */
  provisionedBy(serial: string): SourcedRun | undefined;
  /** A profile file whose bytes hash to `sha256`, and whether it is the kit's copy or the station's own. */
  profileBySha(sha256: string): { path: string; source: 'kit' | 'library' } | undefined;
  /** A firmware image whose bytes hash to `sha256`: the kit's copy, else the station's pulled firmware release. */
  firmwareBySha(sha256: string): string | undefined;
  /** The current release of a profile name: the kit's or the station's pulled one. */
  latestProfile(name: string): ReleasedProfile | undefined;
  /** Whether a certificate is revoked: this station's CA first, then the kit's revocation lists. */
  revocation(certificate: { serial: string; issuer: string; fingerprint: string }): { revoked: boolean; reason?: string };
  /** Whether this station's register holds the certificate (its CA issued it). */
  issuedHere(fingerprint: string): boolean;
}

export interface SourcesOptions {
  dataDir: string;
  store: () => Pick<Store, 'listCertificates'>;
  visitKit: () => VisitKit;
}

export function createServiceSources(options: SourcesOptions): ServiceSources {
  const { dataDir } = options;
  const inKit = (path: string): boolean => {
    const rel = relative(visitDir(dataDir), path);
    return rel !== '' && !rel.startsWith('..') && !rel.startsWith(sep);
  };
  return {
    history: (serial) => [...options.visitKit().history(serial)].reverse(),
    provisionedBy: (serial) => options.visitKit().provisionedBy(serial),

    profileBySha(sha256) {
      const path = options.visitKit().profilePath(sha256);
      return path ? { path, source: inKit(path) ? 'kit' : 'library' } : undefined;
    },

    firmwareBySha: (sha256) => options.visitKit().firmwarePath(sha256),

    latestProfile: (name) => options.visitKit().latestProfile(name),

    revocation(certificate) {
      const verdict = options.visitKit().revocation({ serial: certificate.serial, issuer: certificate.issuer, fingerprintSha256: certificate.fingerprint });
      return { revoked: verdict.revoked, ...(verdict.reason ? { reason: verdict.reason } : {}) };
    },

    issuedHere: (fingerprint) => options.store().listCertificates({ fingerprint }).length > 0,
  };
}

