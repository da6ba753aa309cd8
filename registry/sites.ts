/**
 * Devices grouped by site (`GET /v1/devices?site=NAME`), on either engine: a device's site is the `site` of its newest
 * provisioning record that names one (records with a `service` section are field-service records and never move a
 * device), kept in devices.site as records arrive. Pages go by serial; the cursor is the last serial of a page,
 * base64url-encoded so that it stays opaque and survives a URL unchanged.
 */
import type { DeviceSummary, DevicesPage } from '../main/contract/registry/api';
import { serialSchema } from '../main/contract/registry/record';

/** One device of a page as either engine reads it: its row, and its newest provisioning run's fields. */
export interface SiteDeviceRow {
  serial: string;
  site: string;
  firstSeen: string;
  lastSeen: string;
  runId: string;
  outcome: string;
  startedAt: string;
  profileName: string | null;
  profileVersion: string | null;
  profileSha256: string | null;
}

export function encodeSiteCursor(serial: string): string {
  return Buffer.from(serial, 'utf8').toString('base64url');
}

/** The serial after which a page starts, or undefined when `cursor` is not one this registry gave out. */
export function decodeSiteCursor(cursor: string): string | undefined {
  if (!/^[A-Za-z0-9_-]{1,1024}$/.test(cursor)) return undefined;
  const serial = Buffer.from(cursor, 'base64url').toString('utf8');
  return encodeSiteCursor(serial) === cursor && serialSchema.safeParse(serial).success ? serial : undefined;
}

function toSummary(row: SiteDeviceRow): DeviceSummary {
  return {
    serial: row.serial,
    site: row.site,
    firstSeen: row.firstSeen,
    lastSeen: row.lastSeen,
    latestRun: {
      id: row.runId,
      outcome: row.outcome,
      startedAt: row.startedAt,
      profile: { name: row.profileName ?? '', version: row.profileVersion ?? '', sha256: row.profileSha256 ?? '' },
    },
  };
}

/** A page from up to `limit + 1` rows read: the extra row only says that there is a next page. */
export function toDevicesPage(rows: readonly SiteDeviceRow[], limit: number): DevicesPage {
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return { devices: page.map(toSummary), ...(rows.length > limit && last ? { nextCursor: encodeSiteCursor(last.serial) } : {}) };
}

/** What a provisioning record with a site sets on its device: the site and the record's start. */
export function siteOf(record: { site?: string; service?: unknown }): string | undefined {
  return record.service === undefined ? record.site : undefined;
}
