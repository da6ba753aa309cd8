/**
 * Queueing a finished run for the registry, inside the transaction that saves it (openStore's save calls it): the
 * run and its outbox row are committed together or not at all, so a crash can never leave a finished run that is not
 * queued, or a queued run that was not saved.
 *
 * Why this is in store/ and not a hook that the composition root wires into the store: the outbox table is the
 * store's (migration 2 creates it), and the rule "a finished run is queued in its own transaction" must hold for
 * every process that opens the store — the app, each CLI command, repair, the tests. As a hook, one opener that
 * forgot to wire it would save results the registry never receives, silently. Kept here, sync depends on the store
 * (it reads and drains the outbox), and the store depends on nothing above it.
 *
 * Each run id is queued ONCE, when it is first saved with a final outcome (passed, failed, cancelled,
 * interrupted); `running` saves are progress, not results. Why not queue it again when it is saved later with
 * other content (an interrupted run marked again, its certificate revoked, by the run that repairs it): the record
 * id is the registry's idempotency key, and the registry keeps the first version it received and answers
 * `duplicate` for any later one, so a second upload could never change what it holds. The repair is reported by
 * the repairing run itself (its own record, with previousRunId). While the row is still pending, the drainer
 * reads the run's current content at send time, so a run changed before it left the station goes out as it is.
 */
import type Database from 'better-sqlite3';
import type { RunRecord } from '../contract/run-record';

/** Outcomes that end a run: the record is a result the registry should have. */
export function isFinalOutcome(outcome: RunRecord['outcome']): boolean {
  return outcome !== 'running';
}

/** One prepared statement per connection: a busy station saves runs back to back. */
const statements = new WeakMap<Database.Database, Database.Statement>();

/**
 * The hook: inserts the outbox row of a run that has just reached a final outcome. Call inside the saveRun
 * transaction. Returns whether a row was added: the store then tells its own listeners once the transaction has
 * committed (store.onRunQueued).
 */
export function enqueueFinishedRun(db: Database.Database, record: RunRecord, now: () => Date = () => new Date()): boolean {
  if (!isFinalOutcome(record.outcome)) return false;
  let insert = statements.get(db);
  if (!insert) {
    insert = db.prepare(`INSERT INTO outbox (run_id, state, enqueued_at) VALUES (?, 'pending', ?) ON CONFLICT (run_id) DO NOTHING`);
    statements.set(db, insert);
  }
  return insert.run(record.id, now().toISOString()).changes > 0;
}
