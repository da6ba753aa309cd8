/**
 * The queue of finished runs, for the UI: an adapter over main/sync (outbox, drainer, registry client, bundle
 * export) on the core's store connection. While a registry is configured a drainer runs continuously in the
 * background (a CLI sharing the data directory may drain too: the outbox's transactions keep them apart);
 * settings:set-registry rebuilds it with the new URL and token. Every change — a run queued, a batch sent, a
 * failure — goes out as a queue:state event; changes made by another process are picked up by a slow poll.
 */
import { hostname } from 'node:os';
import { join } from 'node:path';
import { mkdir } from 'node:fs/promises';
import type { QueueEntry, QueueList, QueueStatus } from '../contract/queue';
import { FieldlineError } from '../errors';
import type { Logger } from '../log';
import type { SqliteStore } from '../store/store';
import { sendAfterPass } from '../sync/after-pass';
import type { BackoffPolicy } from '../sync/backoff';
import { exportBundle } from '../sync/bundle-export';
import { Drainer } from '../sync/drainer';
import { Outbox } from '../sync/outbox';
import { reconcileExported } from '../sync/reconcile';
import { RegistryClient } from '../sync/registry-client';
import { collectHeartbeat, type LineSessionReport } from '../sync/heartbeat';
import { ReleaseClient } from '../sync/release-client';
import { loadStationKey } from '../sync/station-key';
import type { AppEvents } from './events';
import type { StationSettings } from './settings';

export interface QueueServiceOptions {
  dataDir: string;
  store: SqliteStore;
  settings: StationSettings;
  events: AppEvents;
  logger: Logger;
  backoff?: Partial<BackoffPolicy>;
  /** How often the drainer looks for records queued by other processes, and the status is re-read (default 5 s). */
  pollMs?: number;
}

export interface QueueService {
  status(): QueueStatus;
  /** The records the registry has not seen (pending, in flight, refused, exported), oldest first, at most `limit`. */
  list(limit: number): QueueList;
  syncNow(): Promise<QueueStatus>;
  exportBundle(): Promise<{ file?: string; count: number; remaining: number }>;
  /** Rebuilds the drainer from the current registry settings. */
  reconfigure(): Promise<void>;
  /** What the heartbeat reports beside the queue and the newest run: the app's version and the line's open session. */
  describeStation(source: { version: string; lineSession?: LineSessionReport }): void;
  close(): Promise<void>;
}

interface Running {
  drainer: Drainer;
  stop: AbortController;
  loop: Promise<void>;
  unsubscribe: () => void;
}

const HEARTBEAT_MS = 15_000;

/** The outbox states of records the registry has not seen. */
const UNSENT = ['pending', 'in-flight', 'dead', 'exported'] as const;

export async function createQueueService(options: QueueServiceOptions): Promise<QueueService> {
  const { store, events, logger } = options;
  const outbox = new Outbox(store);
  const pollMs = options.pollMs ?? 5000;
  let running: Running | undefined;
  let lastSent = '';
  let described: { version: string; lineSession?: LineSessionReport } = { version: 'unknown' };
  // The drainer passes every pollMs while idle; the registry hears from this station at most every HEARTBEAT_MS.
  let lastBeat = -Infinity;
  const heartbeat = async (client: RegistryClient, artifacts: ReleaseClient): Promise<void> => {
    if (Date.now() - lastBeat < HEARTBEAT_MS) return;
    lastBeat = Date.now();
    await sendAfterPass({
      dataDir: options.dataDir,
      store,
      client,
      artifacts,
      logger,
      heartbeat: () => collectHeartbeat({ version: described.version, store, outbox, ...(described.lineSession ? { lineSession: described.lineSession } : {}) }),
    });
  };
  /**
   * Whether the registry answered its health check. The drainer only learns it is online when it has something
   * to send, so without this an empty queue would show "offline" until the first run finished.
   */
  let reachable: boolean | undefined;

  const status = (): QueueStatus => {
    const counts = outbox.counts();
    const seen = outbox.status();
    const live = running?.drainer.state();
    const lastError = live ? live.lastError : seen.lastError;
    const nextAttemptAt = live ? live.nextAttemptAt : seen.nextAttemptAt;
    const lastSuccessAt = live?.lastSuccessAt ?? seen.lastSuccessAt;
    return {
      pending: counts.pending,
      inFlight: counts.inFlight,
      deadLetter: counts.deadLetter,
      exported: counts.exported,
      online: running !== undefined && (live?.online ?? reachable ?? seen.online) === true,
      registryConfigured: running !== undefined,
      ...(lastSuccessAt ? { lastSuccessAt } : {}),
      ...(lastError ? { lastError: lastError.slice(0, 4000) } : {}),
      ...(nextAttemptAt ? { nextAttemptAt } : {}),
    };
  };

  /** Emits queue:state when something a technician sees has changed. */
  const publish = (): void => {
    let current: QueueStatus;
    try {
      current = status();
    } catch (err) {
      logger.warn('reading the queue failed', { error: (err as Error).message });
      return;
    }
    const text = JSON.stringify(current);
    if (text === lastSent) return;
    lastSent = text;
    events.emit('queue:state', current);
  };

  const stopDrainer = async (): Promise<void> => {
    const current = running;
    running = undefined;
    if (!current) return;
    current.unsubscribe();
    current.stop.abort();
    await current.loop;
  };

  const startDrainer = async (): Promise<void> => {
    const connection = await options.settings.registry();
    if (!connection) return;
    const client = new RegistryClient({ url: connection.url, token: connection.token, logger: logger.child('registry') });
    const artifacts = new ReleaseClient({ url: connection.url, token: connection.token });
    const drainer = new Drainer({
      outbox,
      uploader: client,
      reconcile: () => reconcileExported(outbox, client),
      heartbeat: () => heartbeat(client, artifacts),
      logger: logger.child('drainer'),
      pollMs: Math.max(pollMs, 1000),
      ...(options.backoff ? { backoff: options.backoff } : {}),
    });
    reachable = undefined;
    void client.health().then(
      () => (reachable = true),
      () => (reachable = false),
    ).finally(() => publish());
    const stop = new AbortController();
    const loop = drainer.run(stop.signal).catch((err: unknown) => logger.error('the drainer stopped with a bug', { error: err instanceof Error ? (err.stack ?? err.message) : String(err) }));
    running = { drainer, stop, loop, unsubscribe: drainer.subscribe(() => publish()) };
  };

  const unsubscribeQueued = store.onRunQueued(() => publish());
  const poll = setInterval(publish, pollMs);
  poll.unref();
  await startDrainer();
  publish();

  return {
    status,
    list(limit) {
      const counts = outbox.counts();
      const entries: QueueEntry[] = UNSENT.flatMap((state) => outbox.list({ state, limit }))
        .sort((a, b) => a.enqueuedAt.localeCompare(b.enqueuedAt) || a.runId.localeCompare(b.runId))
        .slice(0, limit)
        .map((row) => ({
          runId: row.runId,
          serial: row.serial,
          outcome: row.outcome,
          state: row.state === 'dead' ? 'dead' : row.state === 'in-flight' ? 'in-flight' : row.state === 'exported' ? 'exported' : 'pending',
          enqueuedAt: row.enqueuedAt,
          attempts: row.attempts,
          ...(row.lastError ? { lastError: row.lastError.slice(0, 4000) } : {}),
          ...(row.deadReason ? { deadReason: row.deadReason.slice(0, 4000) } : {}),
        }));
      return { entries, total: counts.pending + counts.inFlight + counts.deadLetter + counts.exported };
    },
    async syncNow() {
      const current = running;
      if (!current) throw new FieldlineError('REGISTRY_NOT_CONFIGURED', 'set the registry URL and token in Settings');
      const pass = await current.drainer.drainOnce();
      publish();
      const stopped = pass.stopped;
      if (stopped?.kind === 'auth') throw new FieldlineError('REGISTRY_AUTH', stopped.reason);
      if (stopped?.kind === 'retry') throw new FieldlineError('REGISTRY_UNREACHABLE', stopped.reason);
      if (stopped?.kind === 'refused') throw new FieldlineError('REGISTRY_REJECTED', stopped.reason);
      return status();
    },
    async exportBundle() {
      const dir = join(options.dataDir, 'bundles');
      await mkdir(dir, { recursive: true, mode: 0o700 });
      // The file name is chosen here, never by the renderer: one per export, sortable by time.
      const stamp = new Date().toISOString().replace(/[:.]/g, '-');
      const file = join(dir, `fieldline-bundle-${stamp}.json`);
      // Signed as the station the registry knows (as `fieldline queue export` does), else by host name.
      const station = (await options.settings.registryStation()) ?? hostname();
      const result = exportBundle(outbox, file, station, loadStationKey(options.dataDir));
      publish();
      return { ...(result.records > 0 ? { file: result.file } : {}), count: result.records, remaining: result.remaining };
    },
    describeStation(source) {
      described = source;
      // Heard at once, not after the throttle or the idle poll: the heartbeat sent before said 'unknown'.
      lastBeat = -Infinity;
      running?.drainer.wake();
    },
    async reconfigure() {
      // Another registry (or token) hears from this station at once.
      lastBeat = -Infinity;
      await stopDrainer();
      await startDrainer();
      publish();
    },
    async close() {
      clearInterval(poll);
      unsubscribeQueued();
      await stopDrainer();
    },
  };
}
