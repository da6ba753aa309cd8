/** Revocation lists on PostgreSQL (postgres-schema.ts, version 4), on the records repository's pool. */
import type pg from 'pg';
import type { RevocationEntry, StationRevocationList } from '../main/contract/registry/revocations';
import { toRevocationList, type RevocationRepository, type RevocationRow } from './revocations';

const SELECT = 'SELECT station, issuer, updated_at AS "updatedAt", entries FROM station_revocations';

export class PostgresRevocationRepository implements RevocationRepository {
  constructor(private readonly pool: pg.Pool) {}

  async replace(station: string, issuer: string, entries: readonly RevocationEntry[], at: Date): Promise<void> {
    await this.pool.query(
      `INSERT INTO station_revocations (station, issuer, updated_at, entries) VALUES ($1, $2, $3, $4)
       ON CONFLICT (station) DO UPDATE SET issuer = excluded.issuer, updated_at = excluded.updated_at, entries = excluded.entries`,
      [station, issuer, at.toISOString(), JSON.stringify(entries)],
    );
  }

  async lists(station?: string): Promise<StationRevocationList[]> {
    const { rows } =
      station === undefined
        ? await this.pool.query<RevocationRow>(`${SELECT} ORDER BY station COLLATE "C"`)
        : await this.pool.query<RevocationRow>(`${SELECT} WHERE station = $1`, [station]);
    return rows.map(toRevocationList);
  }
}
