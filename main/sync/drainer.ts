/**
 * The drainer empties the outbox into the registry: oldest records first, in batches bounded by count and bytes,
 * each row marked only after the registry acknowledged it. It never decides a record's fate from a failure that
 * is not about that record: an unreachable registry, a 5xx, a 429 or an unreadable reply leave the batch pending
 * and the drainer backs off (full jitter; a Retry-After wins); a refused token stops it until the next attempt at
 * the longest delay, instead of spinning. Only the registry's own verdict on a record — rejected in a batch reply,
 * or a batch of that one record refused as malformed or too large — moves it to the dead-letter list, with the
 * reason. A conflict (another record is stored under its id: RECORD_CONFLICT) is such a verdict: the registry does
 * not hold this record, so it is dead with the registry's reason, never sent. A 400 or 413 for a batch of several
 * is split in halves until the culprit stands alone.
 *
 * The clock, the randomness and the uploader are injected, so the tests can run the backoff without waiting.
 */
import { FieldlineError } from '../errors';
import { silentLogger, type Logger } from '../log';
import { DEFAULT_BACKOFF, backoffDelay, type BackoffPolicy } from './backoff';
import { batchBody, batchBodyBytes } from './batches';
import { systemClock, yieldToIo, type Clock } from './clock';
import type { Outbox, QueuedRecord } from './outbox';
import { LIMITS, type BatchUploadReply, type Rejection } from '../contract/registry/api';
import type { BatchOutcome } from './registry-client';
import type { BatchUploader, DrainerOptions, DrainPass, DrainState } from './drain-types';

export type { BatchUploader, DrainerOptions, DrainPass, DrainState } from './drain-types';

type Stop = NonNullable<DrainPass['stopped']>;

/** The dead-letter reason of a rejected record: the registry's code first (RECORD_CONFLICT: …), where it sent one. */
function deadReason(r: Rejection): { id: string; reason: string } {
  return { id: r.id, reason: r.code ? `${r.code}: ${r.reason}` : r.reason };
}

/** Claimed records and their request body. */
interface Batch {
  records: QueuedRecord[];
  body: string;
}
const EMPTY: Batch = { records: [], body: '' };

export class Drainer {
  private readonly outbox: Outbox;
  private readonly uploader: BatchUploader;
  private readonly batchRecords: number;
  /** Shrinks after a 413: the registry's real limit is lower than the API says. */
  private batchBytes: number;
  private readonly policy: BackoffPolicy;
  private readonly pollMs: number;
  private readonly clock: Clock;
  private readonly random: () => number;
  private readonly logger: Logger;
  private readonly listeners = new Set<(state: DrainState) => void>();
  private current: DrainState;
  private failures = 0;
  private recovered = false;
  private pass: Promise<DrainPass> | undefined;
  private lastReconcile = -Infinity;
  private wakeIdle: (() => void) | undefined;

  constructor(private readonly options: DrainerOptions) {
    this.outbox = options.outbox;
    this.uploader = options.uploader;
    this.batchRecords = Math.max(1, Math.min(options.batchRecords ?? LIMITS.batchRecords, LIMITS.batchRecords));
    this.batchBytes = Math.max(1024, Math.min(options.batchBytes ?? LIMITS.batchBytes, LIMITS.batchBytes));
    this.policy = { ...DEFAULT_BACKOFF, ...options.backoff };
    this.pollMs = options.pollMs ?? 30_000;
    this.clock = options.clock ?? systemClock;
    this.random = options.random ?? Math.random;
    this.logger = options.logger ?? silentLogger;
    const status = this.outbox.status();
    this.current = { online: status.online, pending: 0, inFlight: 0, deadLetter: 0, exported: 0, lastSuccessAt: status.lastSuccessAt, lastError: status.lastError, nextAttemptAt: null };
  }

  /** Listens to state changes; returns the unsubscribe function. */
  subscribe(listener: (state: DrainState) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  state(): DrainState {
    return { ...this.current };
  }

  private update(change: Partial<DrainState>): void {
    this.current = { ...this.current, ...change };
    const snapshot = this.state();
    for (const listener of this.listeners) listener(snapshot);
  }

  private recount(): void {
    const c = this.outbox.counts();
    this.update({ pending: c.pending, inFlight: c.inFlight, deadLetter: c.deadLetter, exported: c.exported });
  }

  /**
   * Sends everything pending now, batch after batch, until the outbox is empty or a failure stops the pass (then
   * `stopped` says why; nothing is waited for). Concurrent calls share one pass.
   */
  drainOnce(signal?: AbortSignal): Promise<DrainPass> {
    this.pass ??= this.runPass(signal ?? new AbortController().signal)
      .then((pass) => this.beat(pass))
      .finally(() => {
        this.pass = undefined;
      });
    return this.pass;
  }

  /** The heartbeat after a pass that reached the registry; a failure is only logged, the pass is returned as it was. */
  private async beat(pass: DrainPass): Promise<DrainPass> {
    const { heartbeat } = this.options;
    if (!heartbeat || pass.stopped) return pass;
    try {
      await heartbeat();
    } catch (err) {
      this.logger.warn('the heartbeat was not delivered; records are unaffected', { error: (err as Error).message });
    }
    return pass;
  }

  private async runPass(signal: AbortSignal): Promise<DrainPass> {
    if (!this.recovered) {
      // Rows a killed process left in flight: their fate is unknown, so they are sent again (see outbox.ts).
      const n = this.outbox.recoverInFlight();
      if (n > 0) this.logger.info('resending records left in flight by an earlier process', { records: n });
      this.recovered = true;
    }
    this.recount();
    const pass: DrainPass = { accepted: 0, duplicate: 0, deadLettered: 0, remaining: 0 };
    // Pipelined: while the registry works on one batch, the next is claimed; once the registry answers, the next
    // is sent before the answer is written down. The station's database work thus overlaps the registry's instead
    // of adding to it. A crash in between leaves both batches in flight, to be sent again (and found duplicate).
    let current = this.claimNext(pass);
    let next: Batch = EMPTY;
    let sending = current.records.length > 0 ? this.send(current, signal) : undefined;
    try {
      while (sending) {
        await yieldToIo();
        next = signal.aborted ? EMPTY : this.claimNext(pass);
        const outcome = await sending;
        sending = undefined;
        if (outcome.kind === 'acknowledged') {
          if (next.records.length > 0) {
            sending = this.send(next, signal);
            // Let the request be written out before this thread writes the answer down.
            await yieldToIo();
          }
          this.applyReply(current.records, outcome.reply, pass);
          this.failures = 0;
          [current, next] = [next, EMPTY];
          continue;
        }
        // Anything else is handled one batch at a time: the claimed next batch waits in the queue.
        this.release(next.records, 'not sent yet: an earlier batch was refused or failed');
        next = EMPTY;
        const stop = await this.handle(current.records, outcome, pass, signal);
        if (stop) {
          this.release(current.records, stop.reason);
          current = EMPTY;
          pass.stopped = stop;
          break;
        }
        current = signal.aborted ? EMPTY : this.claimNext(pass);
        sending = current.records.length > 0 ? this.send(current, signal) : undefined;
      }
    } catch (err) {
      // Aborted mid-request, or the store failed: the batches' fate is unknown, so they are pending again. A request
      // still under way is left to finish on its own (the registry will answer a resend with duplicate).
      sending?.catch(() => undefined);
      this.release([...current.records, ...next.records], 'cancelled before the registry answered');
      if (!signal.aborted) throw err;
    }
    if (pass.stopped) pass.stopped.retryInMs = this.failed(pass.stopped);
    else this.recount();
    pass.remaining = this.current.pending + this.current.inFlight;
    return pass;
  }

  /** Claims the next batch and builds its body now, while the registry is busy with the one before. */
  private claimNext(pass: DrainPass): Batch {
    const { batch, oversized } = this.outbox.claim(this.batchRecords, this.batchBytes);
    pass.deadLettered += oversized.length;
    if (batch.length > 0 || oversized.length > 0) {
      this.update({ pending: this.current.pending - batch.length - oversized.length, inFlight: this.current.inFlight + batch.length, deadLetter: this.current.deadLetter + oversized.length });
    }
    return batch.length > 0 ? { records: batch, body: batchBody(batch) } : EMPTY;
  }

  private send(batch: Batch, signal: AbortSignal): Promise<BatchOutcome> {
    return this.uploader.uploadBatch(batch.body, batch.records.map((r) => r.runId), signal);
  }

  private release(records: QueuedRecord[], reason: string): void {
    if (records.length === 0) return;
    this.outbox.release(records.map((r) => r.runId), reason);
    this.recount();
  }

  /** The registry's verdict on each record: acknowledged ones are sent, rejected ones dead with the reason. */
  private applyReply(records: QueuedRecord[], reply: BatchUploadReply, pass: DrainPass): void {
    const { accepted, duplicate } = reply;
    const rejected = reply.rejected.map(deadReason);
    this.outbox.acknowledge([...accepted, ...duplicate], rejected);
    for (const r of rejected) this.logger.warn('record rejected by the registry', { run: r.id, reason: r.reason });
    pass.accepted += accepted.length;
    pass.duplicate += duplicate.length;
    pass.deadLettered += rejected.length;
    const at = new Date(this.clock.now()).toISOString();
    this.update({ online: true, inFlight: this.current.inFlight - records.length, deadLetter: this.current.deadLetter + rejected.length, lastSuccessAt: at, lastError: null, nextAttemptAt: null });
  }

  /** Sends `records` as one batch (splitting first if over a limit learned from a 413) and handles the answer. */
  private async deliver(records: QueuedRecord[], pass: DrainPass, signal: AbortSignal): Promise<Stop | undefined> {
    if (records.length > 1 && batchBodyBytes(records) > this.batchBytes) return this.split(records, pass, signal);
    return this.handle(records, await this.send({ records, body: batchBody(records) }, signal), pass, signal);
  }

  private async split(records: QueuedRecord[], pass: DrainPass, signal: AbortSignal): Promise<Stop | undefined> {
    const half = Math.ceil(records.length / 2);
    return (await this.deliver(records.slice(0, half), pass, signal)) ?? (await this.deliver(records.slice(half), pass, signal));
  }

  /** What an answer means for `records`: marked, split on 400/413, or a reason to stop the pass. */
  private async handle(records: QueuedRecord[], outcome: BatchOutcome, pass: DrainPass, signal: AbortSignal): Promise<Stop | undefined> {
    switch (outcome.kind) {
      case 'acknowledged':
        this.applyReply(records, outcome.reply, pass);
        return undefined;
      case 'too-large':
      case 'invalid': {
        if (records.length === 1) {
          const reason = `${outcome.kind === 'too-large' ? 'too large for the registry' : 'refused as malformed'} (${outcome.reason})`;
          this.outbox.deadLetter([{ id: records[0]!.runId, reason }]);
          this.logger.warn('record rejected by the registry', { run: records[0]!.runId, reason });
          pass.deadLettered += 1;
          this.update({ online: true, inFlight: this.current.inFlight - 1, deadLetter: this.current.deadLetter + 1 });
          return undefined;
        }
        // Remember the lower limit, so the next batches are not refused too.
        if (outcome.kind === 'too-large') this.batchBytes = Math.max(1024, Math.min(this.batchBytes, Math.floor(batchBodyBytes(records) / 2)));
        return this.split(records, pass, signal);
      }
      case 'retry':
        return { kind: 'retry', reason: outcome.reason, ...(outcome.retryAfterMs !== undefined ? { retryAfterMs: outcome.retryAfterMs } : {}) };
      case 'auth':
        // Without a status the token was not sent at all (given for another registry): its reason says so.
        if (outcome.status === undefined) return { kind: 'auth', reason: outcome.reason };
        return { kind: 'auth', reason: `${outcome.reason}: the registry refused the station token (run \`fieldline registry login\` again)` };
      case 'refused':
        return { kind: 'refused', reason: outcome.reason };
    }
  }

  /** The delay before the next attempt after `stop`: Retry-After, else full-jitter backoff; the longest for auth. */
  private failed(stop: Stop): number {
    this.failures += 1;
    const delay = stop.kind === 'retry' ? (stop.retryAfterMs ?? backoffDelay(this.failures, this.policy, this.random)) : this.policy.capMs;
    const now = this.clock.now();
    const nextAttemptAt = new Date(now + delay).toISOString();
    this.logger.warn('registry sync paused', { reason: stop.reason, retryInMs: delay });
    try {
      this.outbox.recordStatus({ online: false, lastAttemptAt: new Date(now).toISOString(), lastError: stop.reason, nextAttemptAt });
    } catch (err) {
      // Only the status for other processes is lost; the queue itself is untouched.
      this.logger.warn('could not record the sync status', { error: (err as Error).message });
    }
    this.update({ online: false, lastError: stop.reason, nextAttemptAt });
    return delay;
  }

  /** Wakes an idle run() now (something was queued or moved back to pending in this process). */
  wake(): void {
    this.wakeIdle?.();
  }

  /**
   * Drains continuously until `signal` aborts: after a failure it waits the backoff delay; when idle it wakes for
   * runs queued in this process, or every pollMs for those queued by other processes (the desktop app and a CLI
   * share a data directory).
   */
  async run(signal: AbortSignal): Promise<void> {
    const unsubscribe = this.outbox.onQueued(() => this.wake());
    try {
      while (!signal.aborted) {
        await this.maybeReconcile();
        const pass = await this.drainOnce(signal).catch((err: unknown) => this.storeTrouble(err));
        if (signal.aborted) break;
        const delay = pass.stopped?.retryInMs ?? this.pollMs;
        const early = new AbortController();
        const stopWaiting = (): void => early.abort();
        // Only an idle drainer wakes early: one backing off keeps its delay, whatever is queued meanwhile.
        if (!pass.stopped) this.wakeIdle = stopWaiting;
        signal.addEventListener('abort', stopWaiting, { once: true });
        await this.clock.sleep(delay, early.signal);
        signal.removeEventListener('abort', stopWaiting);
        this.wakeIdle = undefined;
      }
    } finally {
      unsubscribe();
      this.wakeIdle = undefined;
    }
  }

  /** The local store failed (busy beyond its timeout, disk full): back off as for the registry, keep running. */
  private storeTrouble(err: unknown): DrainPass {
    if (!(err instanceof FieldlineError)) throw err;
    // Rows this pass had in flight may not have been released: the next pass takes them back first.
    this.recovered = false;
    const stopped: Stop = { kind: 'retry', reason: `local store: ${err.message}` };
    stopped.retryInMs = this.failed(stopped);
    return { accepted: 0, duplicate: 0, deadLettered: 0, remaining: this.current.pending + this.current.inFlight, stopped };
  }

  private async maybeReconcile(): Promise<void> {
    const { reconcile } = this.options;
    if (!reconcile || this.clock.now() - this.lastReconcile < (this.options.reconcileMs ?? 10 * 60_000)) return;
    this.lastReconcile = this.clock.now();
    try {
      await reconcile();
    } catch (err) {
      this.logger.warn('reconciling exported records failed; will try again', { error: (err as Error).message });
    }
  }
}
