/**
 * Releases on PostgreSQL (migration 2 in postgres-schema.ts). Sequence numbers are taken under a transaction-scoped
 * advisory lock held to commit, as records' are, so a `since` cursor never skips a release committed later with a
 * smaller number; a concurrent publish of the same release meets the UNIQUE constraint and is read back.
 */
import type pg from 'pg';
import type { ReleasesPage } from '../main/contract/registry/releases';
import type { NewRelease, PublishOutcome, ReleaseRepository } from './releases';
import { pageOf, RELEASE_COLUMNS, releaseOf, type ReleaseRow } from './releases-rows';

/** pg_advisory_xact_lock's key around taking release sequence numbers ("FLRG" + "REL\0" as bytes). */
const RELEASE_LOCK = '5065631325424928768';

export class PostgresReleaseRepository implements ReleaseRepository {
  constructor(private readonly pool: pg.Pool) {}

  async putArtifact(sha256: string, bytes: Buffer, now: Date): Promise<'accepted' | 'duplicate'> {
    const { rowCount } = await this.pool.query(
      'INSERT INTO artifacts (sha256, size, bytes, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT (sha256) DO NOTHING',
      [sha256, bytes.length, bytes, now.toISOString()],
    );
    return rowCount === 1 ? 'accepted' : 'duplicate';
  }

  async artifactSize(sha256: string): Promise<number | undefined> {
    const { rows } = await this.pool.query<{ size: number }>('SELECT size FROM artifacts WHERE sha256 = $1', [sha256]);
    return rows[0]?.size;
  }

  async artifact(sha256: string): Promise<Buffer | undefined> {
    const { rows } = await this.pool.query<{ bytes: Buffer }>('SELECT bytes FROM artifacts WHERE sha256 = $1', [sha256]);
    return rows[0]?.bytes;
  }

  async publish(release: NewRelease, now: Date): Promise<PublishOutcome> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      try {
        const outcome = await this.publishIn(client, release, now);
        await client.query('COMMIT');
        return outcome;
      } catch (err) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw err;
      }
    } finally {
      client.release();
    }
  }

  private async publishIn(client: pg.PoolClient, release: NewRelease, now: Date): Promise<PublishOutcome> {
    const { manifest: m, signature } = release;
    const size = (await client.query<{ size: number }>('SELECT size FROM artifacts WHERE sha256 = $1', [m.sha256])).rows[0]?.size;
    if (size !== m.size) return { kind: 'no-artifact' };
    await client.query('SELECT pg_advisory_xact_lock($1)', [RELEASE_LOCK]);
    const inserted = await client.query<ReleaseRow>(
      `INSERT INTO releases (kind, name, version, sha256, size, channel, key_id, signature, public_key, station, published_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
       ON CONFLICT (channel, kind, name, version) DO NOTHING RETURNING ${RELEASE_COLUMNS}`,
      [m.kind, m.name, m.version, m.sha256, m.size, m.channel, signature.keyId, signature.signature, release.publicKey, release.station, now.toISOString()],
    );
    const row = inserted.rows[0];
    if (row) return { kind: 'accepted', release: releaseOf(row) };
    const held = (
      await client.query<ReleaseRow>(`SELECT ${RELEASE_COLUMNS} FROM releases WHERE channel = $1 AND kind = $2 AND name = $3 AND version = $4`, [
        m.channel,
        m.kind,
        m.name,
        m.version,
      ])
    ).rows[0];
    if (!held) throw new Error('a release neither inserted nor held');
    return held.sha256 === m.sha256 ? { kind: 'duplicate', release: releaseOf(held) } : { kind: 'conflict', held: releaseOf(held) };
  }

  async releasesSince(channel: string, since: number, limit: number): Promise<ReleasesPage> {
    const { rows } = await this.pool.query<ReleaseRow>(`SELECT ${RELEASE_COLUMNS} FROM releases WHERE channel = $1 AND seq > $2 ORDER BY seq LIMIT $3`, [
      channel,
      since,
      limit,
    ]);
    return pageOf(rows, since);
  }
}
