/**
 * The store's schema, as an ordered list of numbered migrations. The number of the last one applied is the file's
 * `PRAGMA user_version`, so opening a store applies exactly the ones it lacks, all in one transaction: a crash
 * mid-way leaves the previous version, never half of the next.
 *
 * Adding a table is appending `{ version: N + 1, … }` to MIGRATIONS (number 2 is issue #4's outbox). Never edit or
 * reorder a migration that has shipped: stores in the field have already run it. Runs are upserted, never deleted,
 * so a table that references runs(id) (the outbox does) keeps its rows when a run is saved again.
 */
import type Database from 'better-sqlite3';
import { FieldlineError } from '../errors';

export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

/** `PRAGMA application_id` of a Fieldline store ("FLDN"), so a wrong --data-dir or file is refused, not migrated. */
export const APPLICATION_ID = 0x464c444e;

/** prev_hash of the first audit entry. */
export const AUDIT_GENESIS = '0'.repeat(64);

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'devices, runs, steps, evidence, audit log',
    // STRICT tables, so a wrong type is an error and not a silent conversion. Times are ISO-8601 UTC text, which
    // sorts as time. `outcome` has no CHECK list: outcomes were added during development already ('running',
    // 'interrupted'), and a CHECK can only change by rebuilding the table. The full RunRecord stays in
    // runs.record (its exact round trip); the other columns and tables are for queries.
    sql: `
      CREATE TABLE devices (
        serial      TEXT PRIMARY KEY NOT NULL CHECK (serial <> ''),
        first_seen  TEXT NOT NULL,
        last_seen   TEXT NOT NULL,
        last_run_id TEXT REFERENCES runs (id) ON DELETE SET NULL,
        firmware    TEXT
      ) STRICT;

      CREATE TABLE runs (
        id              TEXT PRIMARY KEY NOT NULL CHECK (id <> ''),
        serial          TEXT NOT NULL REFERENCES devices (serial),
        previous_run_id TEXT,
        profile_name    TEXT NOT NULL,
        profile_version TEXT NOT NULL,
        profile_sha256  TEXT NOT NULL,
        station         TEXT NOT NULL,
        outcome         TEXT NOT NULL,
        started_at      TEXT NOT NULL,
        ended_at        TEXT NOT NULL,
        error_code      TEXT,
        record          TEXT NOT NULL CHECK (json_valid(record))
      ) STRICT;
      CREATE INDEX runs_by_serial ON runs (serial, started_at);
      CREATE INDEX runs_by_start ON runs (started_at);

      CREATE TABLE steps (
        run_id     TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
        idx        INTEGER NOT NULL,
        name       TEXT NOT NULL,
        outcome    TEXT NOT NULL,
        started_at TEXT NOT NULL,
        ended_at   TEXT NOT NULL,
        error_code TEXT,
        PRIMARY KEY (run_id, idx)
      ) STRICT, WITHOUT ROWID;
      CREATE INDEX steps_by_name ON steps (name, outcome);

      CREATE TABLE evidence (
        run_id TEXT NOT NULL,
        step   INTEGER NOT NULL,
        key    TEXT NOT NULL,
        value  TEXT NOT NULL CHECK (json_valid(value)),
        PRIMARY KEY (run_id, step, key),
        FOREIGN KEY (run_id, step) REFERENCES steps (run_id, idx) ON DELETE CASCADE
      ) STRICT, WITHOUT ROWID;

      -- No CHECKs or triggers here: the table holds exactly the bytes that were hashed, and the hash chain (not
      -- a trigger anyone with the file can drop) is what shows an edit.
      CREATE TABLE audit (
        seq       INTEGER PRIMARY KEY,
        at        TEXT NOT NULL,
        actor     TEXT NOT NULL,
        action    TEXT NOT NULL,
        subject   TEXT NOT NULL,
        details   TEXT NOT NULL,
        prev_hash TEXT NOT NULL,
        hash      TEXT NOT NULL
      ) STRICT;

      -- The last entry's seq and hash, written with every append: without it, deleting the newest entries would
      -- leave a shorter chain that is still perfectly valid.
      CREATE TABLE audit_head (
        id   INTEGER PRIMARY KEY CHECK (id = 1),
        seq  INTEGER NOT NULL,
        hash TEXT NOT NULL
      ) STRICT;
      INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '${AUDIT_GENESIS}');
    `,
  },
  {
    version: 2,
    name: 'outbox and sync status (registry sync)',
    // The registry outbox (docs/sync.md): one row per finished run, written in the saveRun transaction by
    // main/store/outbox-enqueue.ts. `seq` keeps the order runs finished in, so the oldest go first. `state` has no
    // CHECK list for the same reason as runs.outcome (a new state would need a table rebuild); the code that
    // writes it (main/sync/outbox.ts) uses only pending, in-flight, sent, dead and exported. Runs finished before
    // this migration are queued too: nothing of theirs has reached a registry yet. A run left `running` by a crash
    // is queued when the next run of its device repairs it (saved again as interrupted).
    sql: `
      CREATE TABLE outbox (
        seq          INTEGER PRIMARY KEY,
        run_id       TEXT NOT NULL UNIQUE REFERENCES runs (id),
        state        TEXT NOT NULL,
        attempts     INTEGER NOT NULL DEFAULT 0,
        last_error   TEXT,
        enqueued_at  TEXT NOT NULL,
        sent_at      TEXT,
        dead_reason  TEXT,
        exported_at  TEXT,
        exported_to  TEXT
      ) STRICT;
      CREATE INDEX outbox_by_state ON outbox (state, seq);
      INSERT INTO outbox (run_id, state, enqueued_at)
        SELECT id, 'pending', strftime('%Y-%m-%dT%H:%M:%fZ', 'now') FROM runs WHERE outcome <> 'running'
        ORDER BY ended_at, id;

      -- What the last drainer saw of the registry, so "fieldline queue status" in another process can show it.
      CREATE TABLE sync_status (
        id              INTEGER PRIMARY KEY CHECK (id = 1),
        online          INTEGER,
        last_attempt_at TEXT,
        last_success_at TEXT,
        last_error      TEXT,
        next_attempt_at TEXT
      ) STRICT;
      INSERT INTO sync_status (id) VALUES (1);
    `,
  },
  {
    version: 3,
    name: 'issued certificates and run owners (write-ahead for repair)',
    // certificates: every certificate this station issued, written in the same transaction as the run record that
    // names it and BEFORE the certificate is sent to the device, so a kill at any instant leaves either nothing
    // issued or a row that `fieldline repair` (or the device's next run) revokes. state is 'issued' until the run
    // passes ('in-service') or the certificate is revoked ('revoked'); it never leaves 'revoked'.
    // run_owners: which process is running a `running` run (pid, host, boot id), so repair can tell a run that is
    // still under way in another process from one whose process was killed. Deleted when the run ends.
    sql: `
      CREATE TABLE certificates (
        serial        TEXT PRIMARY KEY NOT NULL CHECK (serial <> ''),
        fingerprint   TEXT NOT NULL,
        subject       TEXT NOT NULL,
        device_serial TEXT NOT NULL,
        run_id        TEXT NOT NULL REFERENCES runs (id),
        issued_at     TEXT NOT NULL,
        not_after     TEXT NOT NULL,
        state         TEXT NOT NULL,
        updated_at    TEXT NOT NULL
      ) STRICT;
      CREATE INDEX certificates_by_state ON certificates (state, device_serial);
      CREATE INDEX certificates_by_fingerprint ON certificates (fingerprint);
      INSERT INTO certificates (serial, fingerprint, subject, device_serial, run_id, issued_at, not_after, state, updated_at)
        SELECT lower(record ->> '$.certificate.serial'), record ->> '$.certificate.fingerprintSha256',
               record ->> '$.certificate.subject', serial, id, record ->> '$.certificate.notBefore',
               record ->> '$.certificate.notAfter',
               CASE WHEN record ->> '$.certificate.revoked' THEN 'revoked' WHEN outcome = 'passed' THEN 'in-service' ELSE 'issued' END,
               strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
          FROM runs WHERE record ->> '$.certificate.serial' IS NOT NULL
          ON CONFLICT (serial) DO NOTHING;

      CREATE TABLE run_owners (
        run_id  TEXT PRIMARY KEY NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
        pid     INTEGER NOT NULL,
        host    TEXT NOT NULL,
        boot_id TEXT NOT NULL
      ) STRICT;
    `,
  },
  {
    version: 4,
    name: 'replacement links (fieldline replace)',
    // One row per completed replacement: the old unit, the unit that took its place and the passed run that did it,
    // written in the same transaction as that run's final record (main/store/replacements.ts) and only once the old
    // unit's certificate was revoked. Kept both ways: old_serial for "replaced by", new_serial for "replaces".
    sql: `
      CREATE TABLE replacements (
        run_id      TEXT PRIMARY KEY NOT NULL REFERENCES runs (id),
        old_serial  TEXT NOT NULL REFERENCES devices (serial),
        new_serial  TEXT NOT NULL REFERENCES devices (serial),
        replaced_at TEXT NOT NULL,
        CHECK (old_serial <> new_serial)
      ) STRICT;
      CREATE INDEX replacements_by_old ON replacements (old_serial, replaced_at);
      CREATE INDEX replacements_by_new ON replacements (new_serial, replaced_at);
    `,
  },
  {
    version: 5,
    name: 'operators (issue #14)',
    // Local operator accounts. `key` is the name folded for comparison (NFKC, lower case: main/store/operators.ts),
    // so "Ana" and "ana" cannot both exist; `name` keeps the spelling given. `secret` is an scrypt hash with its salt
    // and parameters (main/store/operator-secret.ts), never the secret. `failures` counts wrong secrets since the
    // last good one; `locked_until` is when a lockout ends. Rows are disabled, never deleted: the audit log names them.
    sql: `
      CREATE TABLE operators (
        key             TEXT PRIMARY KEY NOT NULL CHECK (length(key) BETWEEN 1 AND 64),
        name            TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 64),
        role            TEXT NOT NULL CHECK (role IN ('technician', 'supervisor', 'admin')),
        secret          TEXT NOT NULL,
        disabled        INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
        failures        INTEGER NOT NULL DEFAULT 0 CHECK (failures >= 0),
        locked_until    TEXT,
        created_at      TEXT NOT NULL,
        last_sign_in_at TEXT
      ) STRICT, WITHOUT ROWID;
    `,
  },
  {
    version: 6,
    name: 'revocation list upload status (issue #16)',
    // What the drainer last sent of the station CA's revocation list (main/sync/revocation-upload.ts): the hash of
    // the list and the registry it went to, so an unchanged list is not sent again, and the last failure, so
    // `fieldline queue status` says why the registry may not have this station's newest list.
    sql: `
      ALTER TABLE sync_status ADD COLUMN revocations_hash TEXT;
      ALTER TABLE sync_status ADD COLUMN revocations_uploaded_at TEXT;
      ALTER TABLE sync_status ADD COLUMN revocations_error TEXT;
    `,
  },
  {
    version: 7,
    name: 'profiles sent to the registry (issue #16)',
    // The profiles runs used, sent by the drainer to each registry by their SHA-256 (main/sync/profile-upload.ts),
    // so another station's visit kit can fetch a profile that was never released. One row per registry and profile
    // the registry answered for: 'accepted' or 'duplicate' (it holds the bytes), 'refused' (it will not take them; not
    // asked again). The index finds the profiles of delivered runs without reading every record.
    sql: `
      CREATE TABLE profile_uploads (
        registry    TEXT NOT NULL,
        sha256      TEXT NOT NULL CHECK (length(sha256) = 64),
        result      TEXT NOT NULL CHECK (result IN ('accepted', 'duplicate', 'refused')),
        answered_at TEXT NOT NULL,
        error       TEXT,
        PRIMARY KEY (registry, sha256)
      ) STRICT, WITHOUT ROWID;
      CREATE INDEX runs_by_profile ON runs (profile_sha256);
    `,
  },
];

function pragmaNumber(db: Database.Database, name: string): number {
  return Number(db.pragma(name, { simple: true }));
}

/** Refuses a file that is some other program's database, rather than adding our tables to it. */
function checkOwnership(db: Database.Database): void {
  const appId = pragmaNumber(db, 'application_id');
  if (appId === APPLICATION_ID) return;
  const objects = Number(db.prepare(`SELECT count(*) FROM sqlite_schema`).pluck().get());
  if (appId !== 0 || pragmaNumber(db, 'user_version') !== 0 || objects !== 0) {
    throw new FieldlineError('STORE_CORRUPT', `${db.name} is a SQLite database of another program`);
  }
}

function checkNotNewer(db: Database.Database, latest: number): number {
  const version = pragmaNumber(db, 'user_version');
  if (version > latest) {
    throw new FieldlineError('STORE_TOO_NEW', `${db.name} is at schema version ${version}; this Fieldline knows up to ${latest}`, {
      version,
      latest,
    });
  }
  return version;
}

function checkList(migrations: readonly Migration[]): void {
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) throw new Error(`migration "${m.name}" is number ${m.version}, expected ${i + 1}`);
  });
}

/**
 * Brings the schema up to the last of `migrations`. Returns the versions before and after. Safe against another
 * process migrating the same file at the same moment: the version is read again under the write lock.
 */
export function migrate(db: Database.Database, migrations: readonly Migration[] = MIGRATIONS): { from: number; to: number } {
  checkList(migrations);
  const latest = migrations.length;
  checkOwnership(db);
  const from = checkNotNewer(db, latest);
  if (from === latest) return { from, to: latest };

  // SQLite's recipe for schema changes: foreign keys off (a table rebuild would otherwise cascade deletes), and
  // checked by hand before commit. The pragma is ignored inside a transaction, hence here.
  db.pragma('foreign_keys = OFF');
  try {
    const apply = db.transaction(() => {
      checkOwnership(db);
      const current = checkNotNewer(db, latest);
      for (const m of migrations.slice(current)) {
        db.exec(m.sql);
        db.pragma(`user_version = ${m.version}`);
      }
      db.pragma(`application_id = ${APPLICATION_ID}`);
      const broken = db.pragma('foreign_key_check') as unknown[];
      if (broken.length > 0) throw new Error(`migration left ${broken.length} foreign key violations`);
      return current;
    });
    return { from: apply.immediate(), to: latest };
  } finally {
    db.pragma('foreign_keys = ON');
  }
}
