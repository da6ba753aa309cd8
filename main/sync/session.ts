/**
 * The sync parts over a store the caller opened (the core's, main/core/core.ts), as the CLI uses them: the outbox,
 * and — once the station is logged in — the registry client and a drainer over them. Nothing here has state of its
 * own, and nothing here closes the store: its owner does.
 */
import { silentLogger, type Logger } from '../log';
import type { SqliteStore } from '../store/store';
import { sendAfterPass } from './after-pass';
import type { BackoffPolicy } from './backoff';
import type { Clock } from './clock';
import { Drainer } from './drainer';
import { collectHeartbeat } from './heartbeat';
import { Outbox } from './outbox';
import { reconcileExported } from './reconcile';
import { RegistryClient } from './registry-client';
import { ReleaseClient } from './release-client';
import { loadRegistrySettings, type RegistrySettings } from './registry-config';

export interface QueueHandle {
  store: SqliteStore;
  outbox: Outbox;
}

export function openQueue(store: SqliteStore): QueueHandle {
  return { store, outbox: new Outbox(store) };
}

export interface SyncSessionOptions {
  batchRecords?: number;
  batchBytes?: number;
  /** Per request (default 30 s). */
  timeoutMs?: number;
  pollMs?: number;
  backoff?: Partial<BackoffPolicy>;
  clock?: Clock;
  logger?: Logger;
  /** The Fieldline version the heartbeat reports. */
  version?: string;
}

export interface SyncSession extends QueueHandle {
  settings: RegistrySettings;
  client: RegistryClient;
  drainer: Drainer;
}

/** Throws REGISTRY_NOT_CONFIGURED before `fieldline registry login`. */
export function openSyncSession(dataDir: string, store: SqliteStore, options: SyncSessionOptions = {}): SyncSession {
  const settings = loadRegistrySettings(dataDir);
  const logger = options.logger ?? silentLogger;
  const queue = openQueue(store);
  const client = new RegistryClient({ url: settings.url, token: settings.token, logger: logger.child('client'), ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}) });
  // The profiles runs used go up as artifacts (main/sync/profile-upload.ts), through the releases' client.
  const artifacts = new ReleaseClient({ url: settings.url, token: settings.token, ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}) });
  const drainer = new Drainer({
    outbox: queue.outbox,
    uploader: client,
    reconcile: () => reconcileExported(queue.outbox, client),
    heartbeat: () => sendAfterPass({ dataDir, store, client, artifacts, logger, heartbeat: () => collectHeartbeat({ version: options.version ?? 'unknown', store, outbox: queue.outbox }) }),
    logger: logger.child('drainer'),
    ...(options.batchRecords ? { batchRecords: options.batchRecords } : {}),
    ...(options.batchBytes ? { batchBytes: options.batchBytes } : {}),
    ...(options.pollMs ? { pollMs: options.pollMs } : {}),
    ...(options.backoff ? { backoff: options.backoff } : {}),
    ...(options.clock ? { clock: options.clock } : {}),
  });
  return { ...queue, settings, client, drainer };
}
