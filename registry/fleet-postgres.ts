/**
 * The fleet repository on PostgreSQL (the records repository's pool). A record's outcome is a column there; its
 * profile is read from the stored JSON text.
 */
import type pg from 'pg';
import type { Heartbeat, StationInfo, YieldReply } from '../main/contract/registry/fleet';
import { toStationInfo, type FleetRepository, type StationRow } from './fleet-repository';

/** count(*) and sum() come back as bigint text; the figures here never come near 2^53. */
const numbers = <T extends { passed: unknown; failed: unknown; total: unknown }>(row: T): T => ({ ...row, passed: Number(row.passed), failed: Number(row.failed), total: Number(row.total) });

export class PostgresFleetRepository implements FleetRepository {
  constructor(private readonly pool: pg.Pool) {}

  async recordHeartbeat(station: string, heartbeat: Heartbeat, at: Date): Promise<void> {
    await this.pool.query(
      `INSERT INTO station_heartbeats (station, last_seen, heartbeat) VALUES ($1, $2, $3)
       ON CONFLICT (station) DO UPDATE SET last_seen = excluded.last_seen, heartbeat = excluded.heartbeat`,
      [station, at.toISOString(), JSON.stringify(heartbeat)],
    );
  }

  async stations(limit: number): Promise<StationInfo[]> {
    const { rows } = await this.pool.query<StationRow>(
      `SELECT s.name, s.created_at AS "registeredAt", h.last_seen AS "lastSeen", h.heartbeat
       FROM stations s LEFT JOIN station_heartbeats h ON h.station = s.name ORDER BY s.name COLLATE "C" LIMIT $1`,
      [limit],
    );
    return rows.map(toStationInfo);
  }

  async yields(from: string, to: string, limit: number): Promise<Omit<YieldReply, 'from' | 'to'>> {
    const client = await this.pool.connect();
    try {
      // One snapshot, so both tables count the same records; provisioning runs only (a service record is not a unit).
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      const byStation = await client.query<YieldReply['byStation'][number]>(
        `SELECT station, count(*) FILTER (WHERE outcome = 'passed') AS passed, count(*) FILTER (WHERE outcome = 'failed') AS failed, count(*) AS total
         FROM records WHERE started_at >= $1 AND started_at < $2 AND NOT service GROUP BY station ORDER BY total DESC, station COLLATE "C" LIMIT $3`,
        [from, to, limit],
      );
      const byProfile = await client.query<YieldReply['byProfile'][number]>(
        `SELECT * FROM (
           SELECT coalesce(p.profile ->> 'name', '') AS profile, coalesce(p.profile ->> 'version', '') AS version,
                  count(*) FILTER (WHERE outcome = 'passed') AS passed, count(*) FILTER (WHERE outcome = 'failed') AS failed, count(*) AS total
           FROM records r CROSS JOIN LATERAL (SELECT r.record::json -> 'profile' AS profile) p
           WHERE started_at >= $1 AND started_at < $2 AND NOT service GROUP BY 1, 2
         ) y ORDER BY total DESC, profile COLLATE "C", version COLLATE "C" LIMIT $3`,
        [from, to, limit],
      );
      await client.query('COMMIT');
      return { byStation: byStation.rows.map(numbers), byProfile: byProfile.rows.map(numbers) };
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  }
}
