/**
 * Stations as a fleet, as the registry keeps them, behind an interface of its own beside RegistryRepository: the
 * latest heartbeat per station, the station list, and yield figures over a period read from the records held.
 * Implemented on each engine by fleet-sqlite.ts and fleet-postgres.ts; fleet.ts picks one.
 */
import { heartbeatSchema, type Heartbeat, type StationInfo, type YieldReply } from '../main/contract/registry/fleet';

export interface FleetRepository {
  /** Keeps `heartbeat` as the station's latest, seen at `at` (replacing the one before). */
  recordHeartbeat(station: string, heartbeat: Heartbeat, at: Date): Promise<void>;
  /** Every station (by name, at most `limit`), with its latest heartbeat where it sent one. */
  stations(limit: number): Promise<StationInfo[]>;
  /**
   * Passed, failed and all provisioning runs (records without a `service` section) that started in [from, to), per
   * station and per profile, most runs first.
   */
  yields(from: string, to: string, limit: number): Promise<Omit<YieldReply, 'from' | 'to'>>;
}

/** A station row as either engine reads it. */
export interface StationRow {
  name: string;
  registeredAt: string;
  lastSeen: string | null;
  heartbeat: string | null;
}

/** A stored heartbeat is read back through its schema: one another registry version wrote that does not fit is shown as none. */
export function toStationInfo(row: StationRow): StationInfo {
  let heartbeat: Heartbeat | null = null;
  if (row.heartbeat !== null) {
    try {
      heartbeat = heartbeatSchema.safeParse(JSON.parse(row.heartbeat)).data ?? null;
    } catch {
      heartbeat = null;
    }
  }
  return { name: row.name, registeredAt: row.registeredAt, lastSeen: row.lastSeen, heartbeat };
}
