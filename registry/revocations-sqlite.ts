/** Revocation lists on SQLite (schema.ts, version 5). */
import type { RevocationEntry, StationRevocationList } from '../main/contract/registry/revocations';
import type { RegistryDb } from './db';
import { toRevocationList, type RevocationRepository, type RevocationRow } from './revocations';

const SELECT = 'SELECT station, issuer, updated_at AS updatedAt, entries FROM station_revocations';

export class SqliteRevocationRepository implements RevocationRepository {
  constructor(private readonly db: RegistryDb) {}

  async replace(station: string, issuer: string, entries: readonly RevocationEntry[], at: Date): Promise<void> {
    this.db
      .prepare(
        `INSERT INTO station_revocations (station, issuer, updated_at, entries) VALUES (?, ?, ?, ?)
         ON CONFLICT (station) DO UPDATE SET issuer = excluded.issuer, updated_at = excluded.updated_at, entries = excluded.entries`,
      )
      .run(station, issuer, at.toISOString(), JSON.stringify(entries));
  }

  async lists(station?: string): Promise<StationRevocationList[]> {
    const rows = (station === undefined ? this.db.prepare(`${SELECT} ORDER BY station`).all() : this.db.prepare(`${SELECT} WHERE station = ?`).all(station)) as RevocationRow[];
    return rows.map(toRevocationList);
  }
}
