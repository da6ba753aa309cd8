/**
 * `fieldline queue …`: the outbox of finished runs waiting for the registry (docs/sync.md). status, list and
 * dead-letter read it; retry moves rows back to pending; export writes pending records to a signed offline bundle;
 * import delivers a bundle made elsewhere through this station's registry connection. Each opens the store for
 * the command and closes it after, so a desktop app on the same data directory is kept waiting no longer.
 */
import { Command } from 'commander';
import { existsSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { resolveDataDir } from '../data-dir';
import { FieldlineError } from '../errors';
import { exportBundle } from '../sync/bundle-export';
import { importBundle } from '../sync/bundle-import';
import { OUTBOX_STATES, type OutboxRow, type OutboxState } from '../sync/outbox';
import { RegistryClient } from '../sync/registry-client';
import { loadRegistrySettings, REGISTRY_CONFIG_FILE, REGISTRY_TOKEN_FILE } from '../sync/registry-config';
import { openQueue, type QueueHandle } from '../sync/session';
import { readRevocationUploadStatus } from '../sync/sync-status';
import { withCore } from './core';
import { authorizeCli, beginAuthorized, operatorOption, type OperatorCliOptions } from './operator-sign-in';
import { loadStationKey } from '../sync/station-key';
import { cliLogger, print, type OutputOptions } from './output';

interface QueueOptions extends OutputOptions {
  dataDir?: string;
}

export interface QueueStatusReport {
  pending: number;
  inFlight: number;
  deadLetter: number;
  exported: number;
  sent: number;
  /** The last attempt reached the registry (false also when none was made). */
  online: boolean;
  registryConfigured: boolean;
  registry: string | null;
  lastSuccessAt: string | null;
  lastError: string | null;
  nextAttemptAt: string | null;
  /** The station CA's revocation list as last sent to the registry (main/sync/revocation-upload.ts). */
  revocations: { uploadedAt: string | null; error: string | null };
}

/** The queue over the core's store (opened for the command, closed after; no passphrase is asked). */
function withQueue<T>(opts: QueueOptions, fn: (queue: QueueHandle, dataDir: string) => T): Promise<T> {
  return withCore(opts, (core) => fn(openQueue(core.store()), core.dataDir));
}

/** The registry URL this station is logged in to, if any (read without the token: status needs no secret). */
function configuredRegistry(dataDir: string): string | null {
  if (!existsSync(join(dataDir, REGISTRY_TOKEN_FILE))) return null;
  try {
    const parsed = JSON.parse(readFileSync(join(dataDir, REGISTRY_CONFIG_FILE), 'utf8')) as { url?: unknown };
    return typeof parsed.url === 'string' ? parsed.url : null;
  } catch {
    return null;
  }
}

export function queueStatus(queue: QueueHandle, dataDir: string): QueueStatusReport {
  const counts = queue.outbox.counts();
  const status = queue.outbox.status();
  const registry = configuredRegistry(dataDir);
  const revocations = readRevocationUploadStatus(queue.store.db);
  return {
    ...counts,
    online: status.online === true,
    registryConfigured: registry !== null,
    registry,
    lastSuccessAt: status.lastSuccessAt,
    lastError: status.lastError,
    nextAttemptAt: status.nextAttemptAt,
    revocations: { uploadedAt: revocations.uploadedAt, error: revocations.error },
  };
}

function statusText(s: QueueStatusReport): string {
  return [
    `pending ${s.pending}, in flight ${s.inFlight}, dead-letter ${s.deadLetter}, exported ${s.exported}, sent ${s.sent}`,
    `registry: ${s.registry ?? 'not configured (fieldline registry login)'}${s.registry ? ` — ${s.online ? 'online' : 'offline'}` : ''}`,
    `last success: ${s.lastSuccessAt ?? 'never'}`,
    ...(s.lastError ? [`last error: ${s.lastError}`] : []),
    ...(s.nextAttemptAt && !s.online ? [`next attempt: ${s.nextAttemptAt}`] : []),
    ...(s.revocations.uploadedAt ? [`revocation list sent: ${s.revocations.uploadedAt}`] : []),
    ...(s.revocations.error ? [`revocation list not sent: ${s.revocations.error}`] : []),
  ].join('\n');
}

function rowsText(rows: OutboxRow[], withReason: boolean): string {
  if (rows.length === 0) return '(none)';
  const lines = rows.map((r) => {
    const base = `${r.runId}  ${r.state.padEnd(9)}  ${r.serial}  ${r.outcome.padEnd(11)}  attempts ${r.attempts}  queued ${r.enqueuedAt}`;
    const extra = withReason ? r.deadReason : r.state === 'exported' ? `exported to ${r.exportedTo ?? '?'}` : r.lastError;
    return extra ? `${base}\n    ${extra}` : base;
  });
  return lines.join('\n');
}

function stateArg(value: string): OutboxState {
  if (!(OUTBOX_STATES as readonly string[]).includes(value)) throw new FieldlineError('INVALID_ARGUMENT', `--state must be one of ${OUTBOX_STATES.join(', ')}, not "${value}"`);
  return value as OutboxState;
}

function positiveArg(name: string) {
  return (value: string): number => {
    const n = /^\d+$/.test(value.trim()) ? Number(value) : NaN;
    if (!Number.isSafeInteger(n) || n < 1) throw new FieldlineError('INVALID_ARGUMENT', `${name} must be a whole number from 1 up, not "${value}"`);
    return n;
  };
}

function queueCommand(parent: Command, nameAndArgs: string, description: string): Command {
  return parent
    .command(nameAndArgs)
    .description(description)
    .option('-d, --data-dir <dir>', 'data directory (default: $FIELDLINE_DATA_DIR, else the per-user folder the desktop app uses)')
    .option('--json', 'print JSON');
}

export function registerQueueCommands(program: Command): Command {
  const queue = program.command('queue').description('finished runs waiting for the registry: status, dead-letter list, retry, offline bundles');

  queueCommand(queue, 'status', 'counts (pending, in flight, dead-letter, exported, sent) and what the last sync saw of the registry').action((opts: QueueOptions) => {
    return withQueue(opts, (q, dataDir) => {
      const status = queueStatus(q, dataDir);
      print(opts, status, () => statusText(status));
    });
  });

  queueCommand(queue, 'list', 'the queued runs, oldest first')
    .option('--state <state>', `only rows in this state (${OUTBOX_STATES.join(', ')})`, stateArg)
    .option('-n, --limit <n>', 'at most this many', positiveArg('--limit'))
    .action((opts: QueueOptions & { state?: OutboxState; limit?: number }) => {
      return withQueue(opts, (q) => {
        const rows = q.outbox.list({ ...(opts.state ? { state: opts.state } : {}), ...(opts.limit ? { limit: opts.limit } : {}) });
        print(opts, rows, () => rowsText(rows, false));
      });
    });

  queueCommand(queue, 'dead-letter', 'runs the registry refused, each with its reason (`queue retry` sends them again)').action((opts: QueueOptions) => {
    return withQueue(opts, (q) => {
      const rows = q.outbox.list({ state: 'dead' });
      print(opts, rows, () => rowsText(rows, true));
    });
  });

  operatorOption(queueCommand(queue, 'retry [ids...]', 'move dead-lettered runs (or exported ones whose bundle was lost) back to pending'))
    .option('--all', 'every dead-lettered run')
    .action((ids: string[], opts: QueueOptions & OperatorCliOptions & { all?: boolean }) => {
      if ((ids.length > 0) === (opts.all === true)) throw new FieldlineError('INVALID_ARGUMENT', 'give run ids, or --all (one of them)');
      return withCore(opts, async (core) => {
        const actor = await authorizeCli(core, opts, 'queue.retry', 'queue retry');
        const moved = openQueue(core.store()).outbox.retry(opts.all ? 'all' : ids);
        if (actor !== undefined && moved.length > 0) core.store().appendAudit({ actor, action: 'queue.retry', subject: core.station.name, details: { runs: moved } });
        const notMoved = opts.all ? [] : ids.filter((id) => !moved.includes(id));
        print(opts, { retried: moved, notRetried: notMoved }, () =>
          [`${moved.length} run(s) back to pending`, ...notMoved.map((id) => `not dead-lettered or exported (left alone): ${id}`)].join('\n'),
        );
        if (notMoved.length > 0) process.exitCode = 1;
      });
    });

  queueCommand(queue, 'export <file>', 'write the pending runs to a signed offline bundle (for a site with no network); they are marked exported')
    .option('--station <name>', 'station name in the bundle (default: the name the registry gave at login, else the host name)')
    .action((file: string, opts: QueueOptions & { station?: string }) => {
      return withQueue(opts, (q, dataDir) => {
        let station = opts.station;
        if (!station) {
          try {
            station = loadRegistrySettings(dataDir).station;
          } catch {
            // Not logged in (an offline site): the host name, which the administrator registers the key under.
          }
        }
        const result = exportBundle(q.outbox, file, station ?? hostname(), loadStationKey(dataDir));
        print(opts, result, () =>
          [
            ...result.invalid.map((r) => `dead-lettered (not exported) ${r.id}: ${r.reason}`),
            ...(result.records === 0
              ? ['nothing to export: no bundle written']
              : [
                `${result.records} run(s) written to ${result.file} (${result.bytes} bytes), marked exported`,
                ...(result.remaining > 0 ? [`${result.remaining} more pending: export again to another file`] : []),
                `signed by station "${result.station}", key ${result.keyId}. If this station never logged in to the registry, its administrator registers the key once:`,
                `  fieldline registry station add-key --station ${JSON.stringify(result.station)} --key-base64 ${result.publicKey}`,
              ]),
          ].join('\n'),
        );
        if (result.invalid.length > 0) process.exitCode = 1;
      });
    });

  operatorOption(queueCommand(queue, 'import <file>', "deliver an offline bundle made by another station, through this station's registry connection"))
    .option('-v, --verbose', 'log requests to stderr')
    .action(async (file: string, opts: QueueOptions & OperatorCliOptions) => {
      const dataDir = resolveDataDir(opts.dataDir);
      const audit = await beginAuthorized(opts, 'queue.retry', 'queue import');
      const settings = loadRegistrySettings(dataDir);
      const client = new RegistryClient({ url: settings.url, token: settings.token, logger: cliLogger(opts, 'queue') });
      const result = await importBundle(file, client);
      await audit({ action: 'queue.import', subject: result.station, details: { keyId: result.keyId, records: result.records, accepted: result.accepted } });
      print(opts, result, () =>
        [
          `bundle of station "${result.station}" (key ${result.keyId}): ${result.records} run(s)`,
          `accepted ${result.accepted}, already in the registry ${result.duplicate}, rejected ${result.rejected.length}`,
          ...result.rejected.map((r) => `  rejected ${r.id}: ${r.reason}`),
        ].join('\n'),
      );
      if (result.rejected.length > 0) process.exitCode = 1;
    });

  return queue;
}
