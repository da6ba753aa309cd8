/**
 * Stored run records: the registry's core. Each record is checked on its own (one bad record is rejected with a
 * reason, the rest of its batch still lands), the run id is the idempotency key, and a batch is one transaction.
 *
 * What each answer promises: `accepted` — stored now; `duplicate` — this very record (byte for byte, as stored) was
 * already held, so GET /v1/devices/{serial} returns it; rejected — not stored, with a code: RECORD_INVALID (the
 * edge schema or the database refused it), RECORD_CONFLICT (another record holds the id), PAYLOAD_TOO_LARGE. A
 * record the database did not store without saying why is an error of the whole request (500), never a duplicate.
 */
import type { RunRecord } from '../main/contract/run-record';
import type { BatchUploadReply, DeviceReply, DevicesPage, RecordsPage } from '../main/contract/registry/api';
import type { RegistryDb } from './db';
import { checkRecord, conflictReason, holdsSame, storedRecord, type CheckedRecord } from './record-check';
import type { RecordVerdict } from './repository';
import { siteOf, toDevicesPage, type SiteDeviceRow } from './sites';

export type { RecordVerdict } from './repository';

type StoredRun = RunRecord & { receivedAt: string; receivedFrom: string };

export interface RecordRow {
  seq: number;
  station: string;
  receivedAt: string;
  record: string;
}

/** The id a rejection is filed under: the record's own when it has a usable one, else its position (`#3`). */
export function idFor(item: unknown, index: number): string {
  const id = item !== null && typeof item === 'object' ? (item as { id?: unknown }).id : undefined;
  return typeof id === 'string' && id.length > 0 && id.length <= 200 ? id : `#${index}`;
}

/**
 * SQLite's refusals of one row — a CHECK (json_valid), a trigger's RAISE(ABORT), a value too big — are that record's
 * problem. Anything else (busy, I/O, a UNIQUE clash the explicit check should have made impossible) is not.
 */
function refusedRow(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === 'SQLITE_CONSTRAINT_CHECK' || code === 'SQLITE_CONSTRAINT_TRIGGER' || code === 'SQLITE_TOOBIG';
}

export class RecordStore {
  private readonly insert;
  private readonly touchDevice;
  private readonly moveDevice;
  private readonly selectSite;
  private readonly selectAtSite;
  private readonly selectById;
  private readonly selectDevice;
  private readonly selectRuns;
  private readonly selectReplaces;
  private readonly selectReplacedBy;
  private readonly selectSince;
  /** One record's writes as a savepoint inside the batch: a refused insert takes its device row back with it. */
  private readonly insertOne;

  constructor(private readonly db: RegistryDb) {
    // A plain INSERT: it fails loudly on every constraint. (INSERT OR IGNORE also swallowed a failed CHECK, and the
    // record it dropped was then answered as a duplicate.) Whether the id is held is asked first, under the
    // batch's write lock, so no other writer can come in between.
    this.insert = db.prepare('INSERT INTO records (id, serial, station, received_at, started_at, record) VALUES (?, ?, ?, ?, ?, ?)');
    // devices.first_seen / last_seen: when the device was provisioned (the runs' own times), not when the
    // registry heard of it — an offline bundle may arrive a week later.
    this.touchDevice = db.prepare(
      `INSERT INTO devices (serial, first_seen, last_seen) VALUES (?, ?, ?)
       ON CONFLICT (serial) DO UPDATE SET first_seen = min(first_seen, excluded.first_seen), last_seen = max(last_seen, excluded.last_seen)`,
    );
    // A provisioning record naming a site moves its device there unless the device's site came from a later run
    // (<=: of two runs started at once, the one received last wins, as the newest-first order by seq says).
    this.moveDevice = db.prepare('UPDATE devices SET site = ?, site_at = ? WHERE serial = ? AND (site_at IS NULL OR site_at <= ?)');
    this.selectSite = db.prepare('SELECT site FROM devices WHERE serial = ?').pluck();
    // Each device's newest provisioning run by the records_by_serial index (a handful of records per device).
    this.selectAtSite = db.prepare(
      `SELECT d.serial, d.site, d.first_seen AS firstSeen, d.last_seen AS lastSeen, r.id AS runId, r.record ->> '$.outcome' AS outcome,
              r.record ->> '$.startedAt' AS startedAt, r.record ->> '$.profile.name' AS profileName,
              r.record ->> '$.profile.version' AS profileVersion, r.record ->> '$.profile.sha256' AS profileSha256
         FROM devices d
         JOIN records r ON r.seq = (SELECT seq FROM records WHERE serial = d.serial AND record ->> '$.service' IS NULL ORDER BY started_at DESC, seq DESC LIMIT 1)
        WHERE d.site = @site AND d.serial > @after
        ORDER BY d.serial LIMIT @limit`,
    );
    this.selectById = db.prepare('SELECT station, record FROM records WHERE id = ?');
    this.selectDevice = db.prepare('SELECT serial, first_seen AS firstSeen, last_seen AS lastSeen FROM devices WHERE serial = ?');
    this.selectRuns = db.prepare(
      'SELECT seq, station, received_at AS receivedAt, record FROM records WHERE serial = ? ORDER BY started_at, seq',
    );
    // Links come from passed records only: a record names `replaces` once the replacement is done (main/provisioning/
    // replace.ts), and the newest such record wins if a unit was ever replaced twice.
    this.selectReplaces = db.prepare(
      `SELECT record ->> '$.replaces' FROM records
        WHERE serial = ? AND record ->> '$.replaces' IS NOT NULL AND record ->> '$.outcome' = 'passed'
        ORDER BY started_at DESC, seq DESC LIMIT 1`,
    ).pluck();
    this.selectReplacedBy = db.prepare(
      `SELECT serial FROM records
        WHERE record ->> '$.replaces' = ? AND record ->> '$.outcome' = 'passed'
        ORDER BY started_at DESC, seq DESC LIMIT 1`,
    ).pluck();
    this.selectSince = db.prepare('SELECT seq, station, received_at AS receivedAt, record FROM records WHERE seq > ? ORDER BY seq LIMIT ?');
    this.insertOne = db.transaction((c: Extract<CheckedRecord, { ok: true }>, station: string, receivedAt: string) => {
      // The device row first: records.serial references it.
      this.touchDevice.run(c.record.device.serial, c.startedAt, c.endedAt);
      const site = siteOf(c.record);
      if (site !== undefined) this.moveDevice.run(site, c.startedAt, c.record.device.serial, c.startedAt);
      const { changes } = this.insert.run(c.record.id, c.record.device.serial, station, receivedAt, c.startedAt, c.json);
      // Not stored and no error (a trigger's RAISE(IGNORE), say): the registry cannot vouch for the record, so the
      // whole request fails and the station sends it again — it must never hear "duplicate" for it.
      if (changes !== 1) throw new Error(`the database did not store record ${c.record.id} (${changes} rows changed)`);
    });
  }

  /** One checked record, inside the caller's transaction. */
  private file(c: CheckedRecord, station: string, receivedAt: string): RecordVerdict {
    if (!c.ok) return { kind: 'rejected', code: c.code, reason: c.reason };
    const held = this.selectById.get(c.record.id) as { station: string; record: string } | undefined;
    if (held) {
      if (holdsSame(held, { record: c.record, json: c.json, station })) return { kind: 'duplicate' };
      return { kind: 'rejected', code: 'RECORD_CONFLICT', reason: conflictReason(held, c.record) };
    }
    try {
      this.insertOne(c, station, receivedAt);
    } catch (err) {
      if (!refusedRow(err)) throw err;
      return { kind: 'rejected', code: 'RECORD_INVALID', reason: `the database refused it: ${(err as Error).message}`.slice(0, 1000) };
    }
    return { kind: 'accepted' };
  }

  /**
   * Stores what is new among `items`, in one transaction; `station` is the token's (or a verified bundle's) station,
   * stamped on each record and credited as receivedFrom. Every item appears in exactly one list of the reply, in the
   * order sent.
   */
  store(items: readonly unknown[], station: string, now: Date): BatchUploadReply {
    const reply: BatchUploadReply = { accepted: [], duplicate: [], rejected: [] };
    const receivedAt = now.toISOString();
    const checked = items.map((item) => checkRecord(item, station));
    this.db.transaction(() => {
      checked.forEach((c, index) => {
        const verdict = this.file(c, station, receivedAt);
        const id = c.ok ? c.record.id : idFor(items[index], index);
        if (verdict.kind === 'rejected') reply.rejected.push({ id, reason: verdict.reason, code: verdict.code });
        else reply[verdict.kind].push(id);
      });
    }).immediate();
    return reply;
  }

  /** One record (PUT /v1/records/{id}), as store() files each record of a batch. */
  storeOne(item: unknown, station: string, now: Date): RecordVerdict {
    const checked = checkRecord(item, station);
    return this.db.transaction(() => this.file(checked, station, now.toISOString())).immediate();
  }

  device(serial: string): DeviceReply | undefined {
    const device = this.selectDevice.get(serial) as { serial: string; firstSeen: string; lastSeen: string } | undefined;
    if (!device) return undefined;
    const replaces = this.selectReplaces.get(serial) as string | undefined;
    const replacedBy = this.selectReplacedBy.get(serial) as string | undefined;
    const site = this.selectSite.get(serial) as string | null | undefined;
    return {
      ...device,
      ...(typeof site === 'string' ? { site } : {}),
      ...(replaces !== undefined ? { replaces } : {}),
      ...(replacedBy !== undefined ? { replacedBy } : {}),
      ...splitRuns((this.selectRuns.all(serial) as RecordRow[]).map(toStoredRun)),
    };
  }

  /** The devices at `site` whose serial sorts after `after` ('' = from the first), by serial. */
  atSite(site: string, after: string, limit: number): DevicesPage {
    return toDevicesPage(this.selectAtSite.all({ site, after, limit: limit + 1 }) as SiteDeviceRow[], limit);
  }

  /** Records received after `since` (a cursor from an earlier page; absent = from the start), oldest first. */
  since(since: number, limit: number): RecordsPage {
    const rows = this.selectSince.all(since, limit) as RecordRow[];
    const last = rows.at(-1);
    return { records: rows.map(toStoredRun), nextCursor: encodeCursor(last ? last.seq : since) };
  }
}

/** A device's records, oldest first, as its reply lists them: provisioning runs apart from service records. */
export function splitRuns(records: StoredRun[]): { runs: StoredRun[]; serviceRecords: StoredRun[] } {
  return { runs: records.filter((r) => r.service === undefined), serviceRecords: records.filter((r) => r.service !== undefined) };
}

export function toStoredRun(row: RecordRow): StoredRun {
  return { ...storedRecord(row), receivedAt: row.receivedAt, receivedFrom: row.station };
}

/**
 * Cursors are opaque to clients (pass back what you got). Today one is the receive sequence in decimal; keeping it
 * a string lets that change (a signed or composite cursor) without changing the API.
 */
export function encodeCursor(seq: number): string {
  return String(seq);
}

/** The sequence behind a cursor, or undefined when it is not one of ours. */
export function decodeCursor(cursor: string): number | undefined {
  if (!/^(?:0|[1-9][0-9]{0,15})$/.test(cursor)) return undefined;
  return Number(cursor);
}
