/** Releases on SQLite: the registry file's `artifacts` and `releases` tables (migration 3 in schema.ts). */
import type { ReleasesPage } from '../main/contract/registry/releases';
import type { RegistryDb } from './db';
import type { NewRelease, PublishOutcome, ReleaseRepository } from './releases';
import { pageOf, RELEASE_COLUMNS, releaseOf, type ReleaseRow } from './releases-rows';

export class SqliteReleaseRepository implements ReleaseRepository {
  constructor(private readonly db: RegistryDb) {}

  async putArtifact(sha256: string, bytes: Buffer, now: Date): Promise<'accepted' | 'duplicate'> {
    const info = this.db
      .prepare('INSERT INTO artifacts (sha256, size, bytes, created_at) VALUES (?, ?, ?, ?) ON CONFLICT (sha256) DO NOTHING')
      .run(sha256, bytes.length, bytes, now.toISOString());
    return info.changes === 1 ? 'accepted' : 'duplicate';
  }

  async artifactSize(sha256: string): Promise<number | undefined> {
    const size = this.db.prepare('SELECT size FROM artifacts WHERE sha256 = ?').pluck().get(sha256);
    return typeof size === 'number' ? size : undefined;
  }

  async artifact(sha256: string): Promise<Buffer | undefined> {
    const bytes = this.db.prepare('SELECT bytes FROM artifacts WHERE sha256 = ?').pluck().get(sha256);
    return Buffer.isBuffer(bytes) ? bytes : undefined;
  }

  async publish(release: NewRelease, now: Date): Promise<PublishOutcome> {
    const { manifest: m, signature } = release;
    return this.db
      .transaction((): PublishOutcome => {
        const size = this.db.prepare('SELECT size FROM artifacts WHERE sha256 = ?').pluck().get(m.sha256);
        if (size !== m.size) return { kind: 'no-artifact' };
        const held = this.db
          .prepare(`SELECT ${RELEASE_COLUMNS} FROM releases WHERE channel = ? AND kind = ? AND name = ? AND version = ?`)
          .get(m.channel, m.kind, m.name, m.version) as ReleaseRow | undefined;
        if (held) return held.sha256 === m.sha256 ? { kind: 'duplicate', release: releaseOf(held) } : { kind: 'conflict', held: releaseOf(held) };
        const row = this.db
          .prepare(
            `INSERT INTO releases (kind, name, version, sha256, size, channel, key_id, signature, public_key, station, published_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING ${RELEASE_COLUMNS}`,
          )
          .get(m.kind, m.name, m.version, m.sha256, m.size, m.channel, signature.keyId, signature.signature, release.publicKey, release.station, now.toISOString()) as ReleaseRow;
        return { kind: 'accepted', release: releaseOf(row) };
      })
      .immediate();
  }

  async releasesSince(channel: string, since: number, limit: number): Promise<ReleasesPage> {
    const rows = this.db
      .prepare(`SELECT ${RELEASE_COLUMNS} FROM releases WHERE channel = ? AND seq > ? ORDER BY seq LIMIT ?`)
      .all(channel, since, limit) as ReleaseRow[];
    return pageOf(rows, since);
  }
}
