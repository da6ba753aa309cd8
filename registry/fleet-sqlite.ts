/** The fleet repository on SQLite: the heartbeat table of schema.ts, the yields from the records' JSON. */
import type { Heartbeat, StationInfo, YieldReply } from '../main/contract/registry/fleet';
import type { RegistryDb } from './db';
import { toStationInfo, type FleetRepository, type StationRow } from './fleet-repository';

export class SqliteFleetRepository implements FleetRepository {
  constructor(private readonly db: RegistryDb) {}

  async recordHeartbeat(station: string, heartbeat: Heartbeat, at: Date): Promise<void> {
    this.db
      .prepare(
        `INSERT INTO station_heartbeats (station, last_seen, heartbeat) VALUES (?, ?, ?)
         ON CONFLICT (station) DO UPDATE SET last_seen = excluded.last_seen, heartbeat = excluded.heartbeat`,
      )
      .run(station, at.toISOString(), JSON.stringify(heartbeat));
  }

  async stations(limit: number): Promise<StationInfo[]> {
    const rows = this.db
      .prepare(
        `SELECT s.name AS name, s.created_at AS registeredAt, h.last_seen AS lastSeen, h.heartbeat AS heartbeat
         FROM stations s LEFT JOIN station_heartbeats h ON h.station = s.name ORDER BY s.name LIMIT ?`,
      )
      .all(limit) as StationRow[];
    return rows.map(toStationInfo);
  }

  async yields(from: string, to: string, limit: number): Promise<Omit<YieldReply, 'from' | 'to'>> {
    // One read transaction, so both tables count the same records.
    return this.db.transaction(() => {
      const byStation = this.db
        .prepare(
          `SELECT station, sum(record ->> '$.outcome' = 'passed') AS passed, sum(record ->> '$.outcome' = 'failed') AS failed, count(*) AS total
           FROM records WHERE started_at >= ? AND started_at < ? GROUP BY station ORDER BY total DESC, station LIMIT ?`,
        )
        .all(from, to, limit) as YieldReply['byStation'];
      const byProfile = this.db
        .prepare(
          `SELECT coalesce(record ->> '$.profile.name', '') AS profile, coalesce(record ->> '$.profile.version', '') AS version,
                  sum(record ->> '$.outcome' = 'passed') AS passed, sum(record ->> '$.outcome' = 'failed') AS failed, count(*) AS total
           FROM records WHERE started_at >= ? AND started_at < ? GROUP BY 1, 2 ORDER BY total DESC, profile, version LIMIT ?`,
        )
        .all(from, to, limit) as YieldReply['byProfile'];
      return { byStation, byProfile };
    })();
  }
}
