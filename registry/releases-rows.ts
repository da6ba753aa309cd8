/** Release rows as both engines store them, and as the API answers them. */
import type { Release, ReleaseManifest, ReleasesPage } from '../main/contract/registry/releases';

/** A stored row as the API answers it. */
export interface ReleaseRow {
  seq: number | string;
  kind: string;
  name: string;
  version: string;
  sha256: string;
  size: number | string;
  channel: string;
  key_id: string;
  signature: string;
  station: string;
  published_at: string;
}

export function releaseOf(row: ReleaseRow): Release {
  return {
    manifest: {
      kind: row.kind as ReleaseManifest['kind'],
      name: row.name,
      version: row.version,
      sha256: row.sha256,
      size: Number(row.size),
      channel: row.channel,
    },
    signature: { algorithm: 'ed25519', keyId: row.key_id, signature: row.signature },
    publishedBy: row.station,
    publishedAt: row.published_at,
  };
}

export function pageOf(rows: readonly ReleaseRow[], since: number): ReleasesPage {
  const last = rows.at(-1);
  return { releases: rows.map(releaseOf), nextCursor: String(last === undefined ? since : Number(last.seq)) };
}

export const RELEASE_COLUMNS = 'seq, kind, name, version, sha256, size, channel, key_id, signature, station, published_at';
