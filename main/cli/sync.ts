/**
 * `fieldline sync`: sends the queued runs to the registry this station logged in to. With --once it makes one
 * pass — exported records are reconciled first, then everything pending is sent — and exits 0 only when nothing
 * is left pending and nothing was refused; otherwise 1, saying why. Without --once it keeps draining, backing off
 * while the registry is away, until SIGINT or SIGTERM, printing the queue state as it changes (JSON lines with
 * --json). Killing it at any moment loses nothing: the next start sends again what was in flight, and the
 * registry answers those as duplicates.
 */
import { Command } from 'commander';
import { describeError, type ErrorCode } from '../contract/errors';
import { FieldlineError } from '../errors';
import type { DrainPass, DrainState } from '../sync/drainer';
import { reconcileExported, type ReconcileResult } from '../sync/reconcile';
import { openSyncSession, type SyncSession } from '../sync/session';
import { fieldlineVersion } from './version';
import { withCore } from './core';
import { cliLogger, print, printJson, type OutputOptions } from './output';
import { keepPulling, pullFollowedChannel, pullText } from './release-station';
import type { PullResult } from '../sync/release-pull';

interface SyncOptions extends OutputOptions {
  dataDir?: string;
  once?: boolean;
  batchRecords?: number;
  timeout?: number;
  poll?: number;
}

const STOP_CODES: Record<NonNullable<DrainPass['stopped']>['kind'], ErrorCode> = {
  retry: 'REGISTRY_UNREACHABLE',
  auth: 'REGISTRY_AUTH',
  refused: 'REGISTRY_REJECTED',
};

function positive(name: string) {
  return (value: string): number => {
    const n = /^\d+$/.test(value.trim()) ? Number(value) : NaN;
    if (!Number.isSafeInteger(n) || n < 1) throw new FieldlineError('INVALID_ARGUMENT', `${name} must be a whole number from 1 up, not "${value}"`);
    return n;
  };
}

function stateText(s: DrainState): string {
  const registry = s.online === null ? 'not tried yet' : s.online ? 'online' : `offline${s.lastError ? ` (${s.lastError})` : ''}${s.nextAttemptAt ? `, next attempt ${s.nextAttemptAt}` : ''}`;
  return `pending ${s.pending}, in flight ${s.inFlight}, dead-letter ${s.deadLetter} — registry ${registry}`;
}

/** `pull` fetches the followed channel's new releases (release-station.ts), after the runs are sent. */
async function syncOnce(session: SyncSession, opts: SyncOptions, pull: () => Promise<PullResult | undefined>): Promise<number> {
  let reconciled: ReconcileResult | undefined;
  let reconcileError: string | undefined;
  if (session.outbox.counts().exported > 0) {
    try {
      reconciled = await reconcileExported(session.outbox, session.client);
    } catch (err) {
      if (!(err instanceof FieldlineError)) throw err;
      reconcileError = err.message;
    }
  }
  const pass = await session.drainer.drainOnce();
  const state = session.drainer.state();
  let releases: PullResult | undefined;
  let releasesError: string | undefined;
  try {
    releases = await pull();
  } catch (err) {
    // The runs' result is printed whatever happened to the releases (a damaged release index, say).
    if (!(err instanceof FieldlineError)) throw err;
    releasesError = err.message;
  }
  const delivered = pass.accepted + pass.duplicate;
  const releasesOk = releasesError === undefined && (releases === undefined || (releases.refused.length === 0 && releases.offline === undefined));
  const ok = !pass.stopped && pass.remaining === 0 && pass.deadLettered === 0 && releasesOk;
  const why = releasesError !== undefined
    ? `releases not pulled: ${releasesError}`
    : releases && releases.refused.length > 0
    ? `${releases.refused.length} release(s) refused: ${releases.refused.map((r) => `${r.name} ${r.version}: ${r.reason}`).join('; ')}`
    : releases?.offline !== undefined
      ? `the releases of "${releases.channel}" were not checked (${releases.offline}); the station works from what it pulled before`
      : pass.stopped
    ? `${pass.remaining} run(s) left: ${pass.stopped.reason}`
    : pass.deadLettered > 0
      ? `${pass.deadLettered} run(s) refused by the registry (fieldline queue dead-letter shows why)`
      : pass.remaining > 0
        ? `${pass.remaining} run(s) still pending`
        : undefined;
  const result = {
    ok,
    delivered,
    accepted: pass.accepted,
    duplicate: pass.duplicate,
    deadLettered: pass.deadLettered,
    remaining: pass.remaining,
    ...(reconciled ? { reconciled: reconciled.confirmed } : {}),
    ...(reconcileError ? { reconcileError } : {}),
    ...(releases ? { releases } : {}),
    ...(releasesError !== undefined ? { releasesError } : {}),
    state,
    ...(why ? { reason: why } : {}),
    ...(pass.stopped
      ? { error: describeError(STOP_CODES[pass.stopped.kind], pass.stopped.reason) }
      : releases && releases.refused.length > 0
        ? { error: describeError('RELEASE_REFUSED', why) }
        : {}),
  };
  print(opts, result, () =>
    [
      `delivered ${delivered} run(s) (${pass.accepted} new, ${pass.duplicate} already there), refused ${pass.deadLettered}`,
      ...(reconciled && reconciled.confirmed > 0 ? [`${reconciled.confirmed} exported run(s) confirmed in the registry`] : []),
      ...(reconcileError ? [`could not check exported runs: ${reconcileError}`] : []),
      stateText(state),
      ...(releases ? pullText(releases) : []),
      ...(why ? [`not done: ${why}`] : []),
    ].join('\n'),
  );
  return ok ? 0 : 1;
}

async function syncForever(session: SyncSession, opts: SyncOptions, pull: () => Promise<PullResult | undefined>): Promise<number> {
  const abort = new AbortController();
  const stop = (): void => abort.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  let last = '';
  const show = (state: DrainState): void => {
    const key = JSON.stringify(state);
    if (key === last) return;
    last = key;
    if (opts.json) printJson({ event: 'state', ...state });
    else process.stdout.write(`${new Date().toISOString()} ${stateText(state)}\n`);
  };
  const unsubscribe = session.drainer.subscribe(show);
  // The followed channel's releases, pulled as often as the queue is polled; a pull that found nothing says nothing.
  const pulling = keepPulling(
    pull,
    (opts.poll ?? 30) * 1000,
    (result) => {
      if (result.pulled.length === 0 && result.refused.length === 0) return;
      if (opts.json) printJson({ event: 'releases', ...result });
      else process.stdout.write(pullText(result).map((line) => `${new Date().toISOString()} ${line}`).join('\n') + '\n');
    },
    (message) => process.stderr.write(`fieldline: releases not pulled: ${message}\n`),
  );
  try {
    await session.drainer.run(abort.signal);
  } finally {
    await pulling.stop();
    unsubscribe();
    process.removeListener('SIGINT', stop);
    process.removeListener('SIGTERM', stop);
  }
  show(session.drainer.state());
  return 0;
}

export function syncCommand(opts: SyncOptions): Promise<number> {
  return withCore(opts, (core) => {
    const session = openSyncSession(core.dataDir, core.store(), {
      logger: cliLogger(opts, 'sync'),
      version: fieldlineVersion(),
      ...(opts.batchRecords ? { batchRecords: opts.batchRecords } : {}),
      ...(opts.timeout ? { timeoutMs: opts.timeout } : {}),
      ...(opts.poll ? { pollMs: opts.poll * 1000 } : {}),
    });
    const pull = (): Promise<PullResult | undefined> => pullFollowedChannel(core.dataDir, core.store(), `station:${core.station.name}`);
    return opts.once ? syncOnce(session, opts, pull) : syncForever(session, opts, pull);
  });
}

export function registerSyncCommand(program: Command): Command {
  return program
    .command('sync')
    .description('send the queued runs to the registry (fieldline registry login first): once, or continuously until Ctrl+C')
    .option('--once', 'one pass: exit 0 when everything pending was delivered, 1 if some are left or were refused (says why)')
    .option('-d, --data-dir <dir>', 'data directory (default: $FIELDLINE_DATA_DIR, else the per-user folder the desktop app uses)')
    .option('--batch-records <n>', 'records per request (default and maximum 500)', positive('--batch-records'))
    .option('--timeout <ms>', 'per-request timeout in ms (default 30000)', positive('--timeout'))
    .option('--poll <seconds>', 'continuous mode: how often to look for runs queued by other processes, and for new releases of the followed channel (default 30)', positive('--poll'))
    .option('--json', 'JSON: the pass result (--once), or one state line per change')
    .option('-v, --verbose', 'log requests and back-off to stderr')
    .action(async (opts: SyncOptions) => {
      process.exitCode = await syncCommand(opts);
    });
}
