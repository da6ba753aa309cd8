/**
 * Stored run records: the registry's core. Each record is checked on its own (one bad record is rejected with a
 * reason, the rest of its batch still lands), the run id is the idempotency key, and a batch is one transaction.
 */
import type { RunRecord } from '../main/provisioning/record';
import { runRecordSchema } from '../main/provisioning/record';
import type { BatchUploadReply, DeviceReply, RecordsPage } from '../main/sync/registry-api';
import type { RegistryDb } from './db';

type StoredRun = RunRecord & { receivedAt: string; receivedFrom: string };

interface RecordRow {
  seq: number;
  station: string;
  receivedAt: string;
  record: string;
}

const MAX_REASON = 1000;

/** The id a rejection is filed under: the record's own when it has a usable one, else its position (`#3`). */
function idFor(item: unknown, index: number): string {
  const id = item !== null && typeof item === 'object' ? (item as { id?: unknown }).id : undefined;
  return typeof id === 'string' && id.length > 0 && id.length <= 200 ? id : `#${index}`;
}

type Checked = { ok: true; record: RunRecord; json: string } | { ok: false; reason: string };

/** Validates one record and serializes it as stored: zod's output, so unknown fields are dropped, not kept unchecked. */
export function checkRecord(item: unknown): Checked {
  const parsed = runRecordSchema.safeParse(item);
  if (!parsed.success) {
    const reason = parsed.error.issues
      .slice(0, 3)
      .map((i) => `${i.path.length > 0 ? i.path.join('.') : 'record'}: ${i.message}`)
      .join('; ');
    return { ok: false, reason: reason.slice(0, MAX_REASON) };
  }
  const record = parsed.data;
  // The registry's own rule on top of the schema: a device is looked up by serial, so it cannot be empty.
  if (record.device.serial.trim() === '') return { ok: false, reason: 'device.serial: must not be empty' };
  try {
    return { ok: true, record, json: JSON.stringify(record) };
  } catch (err) {
    // Evidence nested deep enough to overflow the stack: this record's problem, not the batch's.
    return { ok: false, reason: `record cannot be stored: ${(err as Error).message}`.slice(0, MAX_REASON) };
  }
}

/** Earliest and latest time a run shows: its start, and its end when it has one. */
function runSpan(record: RunRecord): { first: string; last: string } {
  const last = record.endedAt !== '' && record.endedAt > record.startedAt ? record.endedAt : record.startedAt;
  return { first: record.startedAt, last };
}

export class RecordStore {
  private readonly insert;
  private readonly touchDevice;
  private readonly selectDevice;
  private readonly selectRuns;
  private readonly selectSince;

  constructor(private readonly db: RegistryDb) {
    // OR IGNORE on the UNIQUE run id: a record already stored (by this batch, an earlier one, or a parallel
    // request) changes nothing and reports 0 changes — that is how a duplicate is told, with no race.
    this.insert = db.prepare(
      'INSERT OR IGNORE INTO records (id, serial, station, received_at, started_at, record) VALUES (?, ?, ?, ?, ?, ?)',
    );
    // devices.first_seen / last_seen: when the device was provisioned (the runs' own times), not when the
    // registry heard of it — an offline bundle may arrive a week later.
    this.touchDevice = db.prepare(
      `INSERT INTO devices (serial, first_seen, last_seen) VALUES (?, ?, ?)
       ON CONFLICT (serial) DO UPDATE SET first_seen = min(first_seen, excluded.first_seen), last_seen = max(last_seen, excluded.last_seen)`,
    );
    this.selectDevice = db.prepare('SELECT serial, first_seen AS firstSeen, last_seen AS lastSeen FROM devices WHERE serial = ?');
    this.selectRuns = db.prepare(
      'SELECT seq, station, received_at AS receivedAt, record FROM records WHERE serial = ? ORDER BY started_at, seq',
    );
    this.selectSince = db.prepare('SELECT seq, station, received_at AS receivedAt, record FROM records WHERE seq > ? ORDER BY seq LIMIT ?');
  }

  /**
   * Stores what is new among `items`, in one transaction; `from` is the station credited as receivedFrom. Every
   * item appears in exactly one list of the reply, in the order sent.
   */
  store(items: readonly unknown[], from: string, now: Date): BatchUploadReply {
    const reply: BatchUploadReply = { accepted: [], duplicate: [], rejected: [] };
    const receivedAt = now.toISOString();
    const checked = items.map(checkRecord);
    this.db.transaction(() => {
      checked.forEach((c, index) => {
        if (!c.ok) {
          reply.rejected.push({ id: idFor(items[index], index), reason: c.reason });
          return;
        }
        const { record } = c;
        const span = runSpan(record);
        // The device row first: records.serial references it. Touching it for a duplicate is harmless (min/max).
        this.touchDevice.run(record.device.serial, span.first, span.last);
        const { changes } = this.insert.run(record.id, record.device.serial, from, receivedAt, record.startedAt, c.json);
        (changes === 1 ? reply.accepted : reply.duplicate).push(record.id);
      });
    }).immediate();
    return reply;
  }

  device(serial: string): DeviceReply | undefined {
    const device = this.selectDevice.get(serial) as { serial: string; firstSeen: string; lastSeen: string } | undefined;
    if (!device) return undefined;
    return { ...device, runs: (this.selectRuns.all(serial) as RecordRow[]).map(toStoredRun) };
  }

  /** Records received after `since` (a cursor from an earlier page; absent = from the start), oldest first. */
  since(since: number, limit: number): RecordsPage {
    const rows = this.selectSince.all(since, limit) as RecordRow[];
    const last = rows.at(-1);
    return { records: rows.map(toStoredRun), nextCursor: encodeCursor(last ? last.seq : since) };
  }
}

function toStoredRun(row: RecordRow): StoredRun {
  return { ...(JSON.parse(row.record) as RunRecord), receivedAt: row.receivedAt, receivedFrom: row.station };
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
