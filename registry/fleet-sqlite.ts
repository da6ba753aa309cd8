/** The fleet repository on SQLite: the heartbeat table of schema.ts, the yields from the records' JSON. */
import type { Heartbeat, StationInfo, YieldReply } from '../main/contract/registry/fleet';
import type { RegistryDb } from './db';
import { toStationInfo, type FleetRepository, type StationRow } from './fleet-repository';

interface YieldRow {
  kind: 'station' | 'profile';
  name: string;
  version: string;
  passed: number;
  failed: number;
  total: number;
}

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
    // Provisioning runs only: a field-service record (one with a `service` section) is not a unit made.
    // One statement, so both tables count the same records; each record's JSON is read once (MATERIALIZED), not
    // once per table: a third of the time of two queries over 10,000 records.
    const rows = this.db
      .prepare(
        `WITH r AS MATERIALIZED (
           SELECT station, record ->> '$.outcome' AS outcome, coalesce(record ->> '$.profile.name', '') AS profile,
                  coalesce(record ->> '$.profile.version', '') AS version
           FROM records WHERE started_at >= @from AND started_at < @to AND record ->> '$.service' IS NULL
         )
         SELECT * FROM (SELECT 'station' AS kind, station AS name, '' AS version, sum(outcome = 'passed') AS passed, sum(outcome = 'failed') AS failed, count(*) AS total
                        FROM r GROUP BY station ORDER BY total DESC, station LIMIT @limit)
         UNION ALL
         SELECT * FROM (SELECT 'profile', profile, version, sum(outcome = 'passed'), sum(outcome = 'failed'), count(*) AS total
                        FROM r GROUP BY profile, version ORDER BY total DESC, profile, version LIMIT @limit)`,
      )
      .all({ from, to, limit }) as YieldRow[];
    const figures = (r: YieldRow) => ({ passed: r.passed, failed: r.failed, total: r.total });
    return {
      byStation: rows.filter((r) => r.kind === 'station').map((r) => ({ station: r.name, ...figures(r) })),
      byProfile: rows.filter((r) => r.kind === 'profile').map((r) => ({ profile: r.name, version: r.version, ...figures(r) })),
    };
  }
}
