/**
 * The repository on PostgreSQL (`pg` Pool). Stateless between calls: everything lives in the database, so several
 * registry processes may serve one at once. Parameterised statements only.
 *
 * A batch is one transaction: the ids already held are read first (each a duplicate or a conflict), the new
 * records' devices are upserted, then the records go in with one INSERT … ON CONFLICT (id) DO NOTHING. A record
 * another process inserted in between is not returned by that INSERT and is classified like the held ones.
 * The receive sequence is taken under a transaction-scoped advisory lock held to commit, so sequence numbers
 * become visible in order and a `since` cursor never skips a record committed later with a smaller number.
 */
import pg from 'pg';
import type { BatchUploadReply, DeviceReply, DevicesPage, RecordsPage } from '../main/contract/registry/api';
import { FieldlineError } from '../main/errors';
import { silentLogger, type Logger } from '../main/log';
import { migratePostgres } from './postgres-schema';
import { checkPostgresUrl, redactDatabaseUrl } from './postgres-url';
import { checkRecord, conflictReason, holdsSame, type CheckedRecord } from './record-check';
import { encodeCursor, idFor, splitRuns, toStoredRun, type RecordRow } from './records';
import type { RecordVerdict, RegistryRepository, StoredKey } from './repository';
import { siteOf } from './sites';
import { devicesAtSite } from './sites-postgres';

export interface PostgresOptions {
  /** Connections this process opens at most (default 10). */
  maxConnections?: number;
  /** A statement running longer is cancelled (default 15 s); the request answers 503 and the station retries. */
  statementTimeoutMs?: number;
  /** How long a request waits for a free connection or a new one (default 10 s). */
  connectTimeoutMs?: number;
  logger?: Logger;
}

/** pg_advisory_xact_lock's key around taking receive sequence numbers ("FLRG" + "SEQ\0" as bytes). */
const SEQUENCE_LOCK = '5065631325426175232';
/** SQLSTATEs worth running the whole transaction again for: a deadlock, a serialization failure. */
const RETRY_STATES = new Set(['40P01', '40001']);
const ATTEMPTS = 3;

type Checked = Extract<CheckedRecord, { ok: true }>;
interface HeldRow {
  id: string;
  station: string;
  record: string;
}

const sqlState = (err: unknown): string | undefined => {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
};

/** A refusal of one row's values (a CHECK, a bad character, a value too long) rather than of the request. */
const refusedRow = (err: unknown): boolean => {
  const state = sqlState(err);
  return state !== undefined && /^[0-9A-Z]{5}$/.test(state) && (state.startsWith('22') || state === '23514' || state === '23502');
};

/** Failures a retry may get past: connection trouble, timeouts, lock waits, the server shutting down or full. */
function transient(err: unknown): boolean {
  const state = sqlState(err);
  // The pool's own failures carry no code: no free connection within connectTimeoutMs, a connection cut mid-query.
  if (state === undefined) return err instanceof Error && /^(?:timeout exceeded when trying to connect|Connection terminated|Query read timeout)/.test(err.message);
  if (RETRY_STATES.has(state) || state === '57014' || state === '55P03' || state === '53300' || state.startsWith('08') || state.startsWith('57P')) return true;
  return ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN'].includes(state);
}

export class PostgresRepository implements RegistryRepository {
  readonly engine = 'postgres' as const;

  private constructor(
    /** Also used by the release repository (releases-postgres.ts): one pool per process. */
    readonly pool: pg.Pool,
    readonly location: string,
  ) {}

  /**
   * Connects, checks the database is a registry's (or empty) and migrates it. A bad URL, an unreachable server or
   * a refused login is INVALID_ARGUMENT naming the database without its password.
   */
  static async open(url: string, options: PostgresOptions = {}): Promise<PostgresRepository> {
    const location = redactDatabaseUrl(checkPostgresUrl(url));
    const logger = options.logger ?? silentLogger;
    const statementTimeout = options.statementTimeoutMs ?? 15_000;
    const pool = new pg.Pool({
      connectionString: url,
      max: options.maxConnections ?? 10,
      connectionTimeoutMillis: options.connectTimeoutMs ?? 10_000,
      idleTimeoutMillis: 30_000,
      statement_timeout: statementTimeout,
      // The server enforces statement_timeout; this is for a connection that stops answering at all.
      query_timeout: statementTimeout + 5_000,
      // A client that stops half-way through a transaction must not hold its locks for ever.
      idle_in_transaction_session_timeout: Math.max(statementTimeout * 2, 30_000),
      application_name: 'fieldline-registry',
    });
    // An idle connection the server closed (restart, failover) is dropped by the pool; without a listener it would crash the process.
    pool.on('error', (err) => logger.warn('database connection lost', { database: location, error: err.message }));
    try {
      const client = await pool.connect();
      try {
        await migratePostgres(client, location);
      } finally {
        client.release();
      }
    } catch (err) {
      await pool.end().catch(() => undefined);
      if (err instanceof FieldlineError) throw err;
      throw new FieldlineError('INVALID_ARGUMENT', `cannot use the registry database ${location}: ${withoutSecrets((err as Error).message, url)}`, {}, { cause: err });
    }
    return new PostgresRepository(pool, location);
  }

  /** Runs `fn` in a transaction, again (up to ATTEMPTS) after a deadlock or serialization failure. */
  private async transaction<T>(fn: (client: pg.PoolClient) => Promise<T>, mode = 'BEGIN'): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const client = await this.pool.connect();
      let broken: Error | undefined;
      try {
        await client.query(mode);
        const result = await fn(client);
        await client.query('COMMIT');
        return result;
      } catch (err) {
        await client.query('ROLLBACK').catch((rollback: Error) => (broken = rollback));
        if (attempt < ATTEMPTS && RETRY_STATES.has(sqlState(err) ?? '')) continue;
        throw err;
      } finally {
        // A connection that could not even roll back is closed rather than handed to the next request.
        client.release(broken);
      }
    }
  }

  async storeRecords(items: readonly unknown[], station: string, now: Date): Promise<BatchUploadReply> {
    const checked = items.map((item) => checkRecord(item, station));
    const verdicts = await this.file(checked, station, now.toISOString());
    const reply: BatchUploadReply = { accepted: [], duplicate: [], rejected: [] };
    verdicts.forEach((verdict, index) => {
      const c = checked[index] as CheckedRecord;
      const id = c.ok ? c.record.id : idFor(items[index], index);
      if (verdict.kind === 'rejected') reply.rejected.push({ id, reason: verdict.reason, code: verdict.code });
      else reply[verdict.kind].push(id);
    });
    return reply;
  }

  async storeRecord(item: unknown, station: string, now: Date): Promise<RecordVerdict> {
    const [verdict] = await this.file([checkRecord(item, station)], station, now.toISOString());
    return verdict as RecordVerdict;
  }

  /** The verdict of each checked record, in order; the writes of all of them in one transaction. */
  private async file(checked: readonly CheckedRecord[], station: string, receivedAt: string): Promise<RecordVerdict[]> {
    const valid = checked.filter((c): c is Checked => c.ok);
    if (valid.length === 0) return checked.map(rejection);
    const run = (oneByOne: boolean): Promise<RecordVerdict[]> =>
      this.transaction(async (client) => {
        const held = await heldRows(client, [...new Set(valid.map((c) => c.record.id))]);
        // The first record of each id not yet held is the one to insert; any later one in the batch is filed
        // against it, as it would be against a held row.
        const fresh = new Map<string, Checked>();
        for (const c of valid) if (!held.has(c.record.id) && !fresh.has(c.record.id)) fresh.set(c.record.id, c);
        const refused = new Map<string, string>();
        const inserted = new Set<string>();
        if (fresh.size > 0) {
          const candidates = [...fresh.values()].sort((a, b) => (a.record.id < b.record.id ? -1 : 1));
          if (oneByOne) {
            for (const c of candidates) {
              await client.query('SAVEPOINT one_record');
              try {
                for (const id of await insertRecords(client, [c], station, receivedAt)) inserted.add(id);
                await client.query('RELEASE SAVEPOINT one_record');
              } catch (err) {
                if (!refusedRow(err)) throw err;
                await client.query('ROLLBACK TO SAVEPOINT one_record');
                refused.set(c.record.id, `the database refused it: ${(err as Error).message}`.slice(0, 1000));
              }
            }
          } else {
            for (const id of await insertRecords(client, candidates, station, receivedAt)) inserted.add(id);
          }
          // Ids not inserted now (another process's upload of the same ids won the race) are held rows too.
          const raced = [...fresh.keys()].filter((id) => !inserted.has(id) && !refused.has(id));
          for (const [id, row] of await heldRows(client, raced)) held.set(id, row);
          const lost = raced.filter((id) => !held.has(id));
          // Neither stored nor held: the registry cannot vouch for it, so the request fails and the station retries.
          if (lost.length > 0) throw new Error(`the database did not store record ${lost[0]}`);
        }
        const filed = new Map<string, Checked>();
        return checked.map((c): RecordVerdict => {
          if (!c.ok) return rejection(c);
          const id = c.record.id;
          const reason = refused.get(id);
          if (reason !== undefined) return { kind: 'rejected', code: 'RECORD_INVALID', reason };
          const first = filed.get(id);
          const row = held.get(id) ?? (first ? { station, record: first.json } : undefined);
          filed.set(id, first ?? c);
          if (row === undefined) return { kind: 'accepted' };
          if (holdsSame(row, { record: c.record, json: c.json, station })) return { kind: 'duplicate' };
          return { kind: 'rejected', code: 'RECORD_CONFLICT', reason: conflictReason(row, c.record) };
        });
      });
    try {
      return await run(false);
    } catch (err) {
      // One record's values refused takes the multi-row INSERT with it: file them one by one, each in a savepoint.
      if (!refusedRow(err)) throw err;
      return run(true);
    }
  }

  async device(serial: string): Promise<DeviceReply | undefined> {
    return this.transaction(async (client) => {
      const device = await client.query<{ serial: string; firstSeen: string; lastSeen: string; site: string | null }>(
        'SELECT serial, first_seen AS "firstSeen", last_seen AS "lastSeen", site FROM devices WHERE serial = $1',
        [serial],
      );
      const row = device.rows[0];
      if (!row) return undefined;
      const { site, ...found } = row;
      const replaces = await client.query<{ replaces: string }>(
        `SELECT replaces FROM records WHERE serial = $1 AND replaces IS NOT NULL AND outcome = 'passed' ORDER BY started_at DESC, seq DESC LIMIT 1`,
        [serial],
      );
      const replacedBy = await client.query<{ serial: string }>(
        `SELECT serial FROM records WHERE replaces = $1 AND outcome = 'passed' ORDER BY started_at DESC, seq DESC LIMIT 1`,
        [serial],
      );
      const runs = await client.query<RecordRow & { seq: string }>(
        'SELECT seq, station, received_at AS "receivedAt", record FROM records WHERE serial = $1 ORDER BY started_at, seq',
        [serial],
      );
      const replacesSerial = replaces.rows[0]?.replaces;
      const replacedBySerial = replacedBy.rows[0]?.serial;
      return {
        ...found,
        ...(site !== null ? { site } : {}),
        ...(replacesSerial !== undefined ? { replaces: replacesSerial } : {}),
        ...(replacedBySerial !== undefined ? { replacedBy: replacedBySerial } : {}),
        ...splitRuns(runs.rows.map((r) => toStoredRun({ ...r, seq: Number(r.seq) }))),
      };
    }, 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
  }

  async devicesAtSite(site: string, after: string, limit: number): Promise<DevicesPage> {
    return devicesAtSite(this.pool, site, after, limit);
  }

  async recordsSince(since: number, limit: number): Promise<RecordsPage> {
    const { rows } = await this.pool.query<RecordRow & { seq: string }>(
      'SELECT seq, station, received_at AS "receivedAt", record FROM records WHERE seq > $1 ORDER BY seq LIMIT $2',
      [since, limit],
    );
    const last = rows.at(-1);
    return { records: rows.map((r) => toStoredRun({ ...r, seq: Number(r.seq) })), nextCursor: encodeCursor(last ? Number(last.seq) : since) };
  }

  async addToken(station: string, tokenHash: string, now: Date): Promise<void> {
    await this.transaction(async (client) => {
      await ensureStation(client, station, now);
      await client.query('INSERT INTO tokens (hash, station, created_at) VALUES ($1, $2, $3)', [tokenHash, station, now.toISOString()]);
    });
  }

  async stationForTokenHash(tokenHash: string): Promise<string | undefined> {
    const { rows } = await this.pool.query<{ station: string }>('SELECT station FROM tokens WHERE hash = $1', [tokenHash]);
    return rows[0]?.station;
  }

  async addKey(station: string, keyId: string, publicKey: string, now: Date): Promise<StoredKey> {
    return this.transaction(async (client) => {
      await ensureStation(client, station, now);
      await client.query('INSERT INTO station_keys (key_id, public_key, station, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING', [keyId, publicKey, station, now.toISOString()]);
      const row = await keyRow(client, keyId);
      // The id is derived from the key, so a clash on the key's text is a clash on its id: a row is always held.
      if (!row) throw new Error(`station key ${keyId} was neither stored nor found`);
      return row;
    });
  }

  async key(keyId: string): Promise<StoredKey | undefined> {
    return keyRow(this.pool, keyId);
  }

  translateError(err: unknown): unknown {
    if (err instanceof FieldlineError || !transient(err)) return err;
    return new FieldlineError('STORE_BUSY', `the registry database ${this.location} is busy or unreachable: ${(err as Error).message}`, {}, { cause: err });
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

function rejection(c: CheckedRecord): RecordVerdict {
  if (c.ok) throw new Error('not a rejection');
  return { kind: 'rejected', code: c.code, reason: c.reason };
}

async function heldRows(client: pg.ClientBase, ids: readonly string[]): Promise<Map<string, HeldRow>> {
  if (ids.length === 0) return new Map();
  const { rows } = await client.query<HeldRow>('SELECT id, station, record FROM records WHERE id = ANY($1::text[])', [ids]);
  return new Map(rows.map((r) => [r.id, r]));
}

async function ensureStation(client: pg.ClientBase, name: string, at: Date): Promise<void> {
  await client.query('INSERT INTO stations (name, created_at) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING', [name, at.toISOString()]);
}

async function keyRow(db: pg.ClientBase | pg.Pool, keyId: string): Promise<StoredKey | undefined> {
  const { rows } = await db.query<StoredKey>('SELECT station, public_key AS "publicKey" FROM station_keys WHERE key_id = $1', [keyId]);
  return rows[0];
}

/**
 * The devices of `records` (first/last seen widened to their runs' times), then the records themselves, in id
 * order (devices in serial order) so two transactions meet their rows in the same order and cannot deadlock.
 */
async function insertRecords(client: pg.ClientBase, records: readonly Checked[], station: string, receivedAt: string): Promise<string[]> {
  const devices = new Map<string, { first: string; last: string; site?: string; siteAt?: string }>();
  for (const c of records) {
    const seen = devices.get(c.record.device.serial);
    const site = siteOf(c.record);
    // The batch's newest provisioning record naming a site (of two started at once, the later one in the batch).
    const newer = site !== undefined && (seen?.siteAt === undefined || seen.siteAt <= c.startedAt);
    devices.set(c.record.device.serial, {
      first: seen && seen.first < c.startedAt ? seen.first : c.startedAt,
      last: seen && seen.last > c.endedAt ? seen.last : c.endedAt,
      ...(newer ? { site, siteAt: c.startedAt } : seen?.site !== undefined ? { site: seen.site, siteAt: seen.siteAt } : {}),
    });
  }
  const serials = [...devices.keys()].sort();
  // A site moves the device unless its site came from a later run (see schema.ts, version 5).
  await client.query(
    `INSERT INTO devices (serial, first_seen, last_seen, site, site_at)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[]) ORDER BY 1
     ON CONFLICT (serial) DO UPDATE SET first_seen = least(devices.first_seen, excluded.first_seen), last_seen = greatest(devices.last_seen, excluded.last_seen),
       site = CASE WHEN excluded.site IS NOT NULL AND (devices.site_at IS NULL OR devices.site_at <= excluded.site_at) THEN excluded.site ELSE devices.site END,
       site_at = CASE WHEN excluded.site IS NOT NULL AND (devices.site_at IS NULL OR devices.site_at <= excluded.site_at) THEN excluded.site_at ELSE devices.site_at END`,
    [
      serials,
      serials.map((s) => devices.get(s)?.first),
      serials.map((s) => devices.get(s)?.last),
      serials.map((s) => devices.get(s)?.site ?? null),
      serials.map((s) => devices.get(s)?.siteAt ?? null),
    ],
  );
  await client.query('SELECT pg_advisory_xact_lock($1)', [SEQUENCE_LOCK]);
  // One VALUES row of parameters per record, not unnest() of arrays: the driver would escape each record's JSON into
  // an array literal and the server parse it back, which took half the batch's time.
  const params: unknown[] = [];
  const rowsSql = records.map((c) => {
    const first = params.length;
    params.push(c.record.id, c.record.device.serial, station, receivedAt, c.startedAt, c.record.outcome, c.record.replaces ?? null, c.record.service !== undefined, c.json);
    return `(${Array.from({ length: 9 }, (_, i) => `$${first + i + 1}`).join(', ')})`;
  });
  const { rows } = await client.query<{ id: string }>(
    `INSERT INTO records (id, serial, station, received_at, started_at, outcome, replaces, service, record) VALUES ${rowsSql.join(', ')}
     ON CONFLICT (id) DO NOTHING RETURNING id`,
    params,
  );
  return rows.map((r) => r.id);
}

/** A driver message with the URL's password taken out, should one ever echo it. */
function withoutSecrets(message: string, url: string): string {
  let password = '';
  try {
    password = decodeURIComponent(new URL(url).password);
  } catch {
    // Not a URL: nothing to find.
  }
  return password.length > 0 ? message.split(password).join('***') : message;
}
