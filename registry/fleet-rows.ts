/** Station rows as both engines read them, turned into the API's shape. */
import { heartbeatSchema, type Heartbeat, type StationInfo } from '../main/contract/registry/fleet';

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
