/** A page of the devices at one site on PostgreSQL (sites.ts): serials in byte order ("C"), as the index holds them. */
import type pg from 'pg';
import type { DevicesPage } from '../main/contract/registry/api';
import { toDevicesPage, type SiteDeviceRow } from './sites';

export async function devicesAtSite(pool: pg.Pool, site: string, after: string, limit: number): Promise<DevicesPage> {
  // Each device's newest provisioning run through records_by_serial: LATERAL reads a handful of rows per device.
  const { rows } = await pool.query<SiteDeviceRow>(
    `SELECT d.serial, d.site, d.first_seen AS "firstSeen", d.last_seen AS "lastSeen", r.id AS "runId", r.outcome,
            r.record::json ->> 'startedAt' AS "startedAt", r.record::json -> 'profile' ->> 'name' AS "profileName",
            r.record::json -> 'profile' ->> 'version' AS "profileVersion", r.record::json -> 'profile' ->> 'sha256' AS "profileSha256"
       FROM devices d
       CROSS JOIN LATERAL (SELECT id, outcome, record FROM records WHERE serial = d.serial AND NOT service ORDER BY started_at DESC, seq DESC LIMIT 1) r
      WHERE d.site = $1 AND d.serial COLLATE "C" > $2
      ORDER BY d.serial COLLATE "C" LIMIT $3`,
    [site, after, limit + 1],
  );
  return toDevicesPage(rows, limit);
}
