/**
 * `fieldline queue import FILE` on a connected station: the bundle is read and verified here (shape, signature
 * with its own key, every record against its hash — parseBundle), then its records go to the registry through the
 * batch API with this station's token, like its own queue. The registry de-duplicates by record id, so importing
 * the same bundle twice, or one whose records partly arrived already, is harmless — and rerunning an import that
 * stopped half-way is the way to finish it.
 *
 * What it does not check: whether the bundle's key belongs to the station it names. Through the batch API the
 * importing station vouches for the records with its own token (they are credited to it). To have the registry
 * check the key and credit the station that signed them, use `fieldline registry upload-bundle FILE`.
 */
import { readFileSync, statSync } from 'node:fs';
import { FieldlineError } from '../errors';
import { backoffDelay, DEFAULT_BACKOFF } from './backoff';
import { batchBody, splitIntoBatches } from './batches';
import { parseBundle } from '../shared/bundle-format';
import { systemClock, type Clock } from './clock';
import type { BatchUploader } from './drainer';
import type { QueuedRecord } from './outbox';
import { LIMITS } from '../contract/registry/api';

export interface ImportResult {
  /** The station named in the bundle's manifest, and its key id. */
  station: string;
  keyId: string;
  records: number;
  accepted: number;
  duplicate: number;
  rejected: Array<{ id: string; reason: string }>;
}

export interface ImportOptions {
  batchRecords?: number;
  batchBytes?: number;
  /** Tries per batch while the registry is unreachable or busy (default 5), with backoff between. */
  attempts?: number;
  clock?: Clock;
  random?: () => number;
}

export function readBundleFile(file: string): Uint8Array {
  let size: number;
  try {
    size = statSync(file).size;
  } catch (err) {
    throw new FieldlineError('FILE_NOT_FOUND', `${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  if (size > LIMITS.bundleBytes) throw new FieldlineError('BUNDLE_INVALID', `${file} is ${size} bytes; a bundle is at most ${LIMITS.bundleBytes}`);
  return readFileSync(file);
}

export async function importBundle(file: string, uploader: BatchUploader, options: ImportOptions = {}): Promise<ImportResult> {
  const bundle = parseBundle(readBundleFile(file));
  const result: ImportResult = { station: bundle.manifest.station, keyId: bundle.manifest.keyId, records: bundle.records.length, accepted: 0, duplicate: 0, rejected: [] };
  const queued: QueuedRecord[] = bundle.records.map((record) => {
    const json = JSON.stringify(record);
    return { runId: record.id, json, bytes: Buffer.byteLength(json) };
  });
  const { batches, oversized } = splitIntoBatches(queued, options.batchRecords ?? LIMITS.batchRecords, options.batchBytes ?? LIMITS.batchBytes);
  for (const r of oversized) result.rejected.push({ id: r.runId, reason: `the record is ${r.bytes} bytes, more than a batch may carry` });
  const send = async (batch: QueuedRecord[]): Promise<void> => {
    const outcome = await uploadWithRetry(uploader, batch, options);
    switch (outcome.kind) {
      case 'acknowledged':
        result.accepted += outcome.reply.accepted.length;
        result.duplicate += outcome.reply.duplicate.length;
        result.rejected.push(...outcome.reply.rejected);
        return;
      case 'invalid':
      case 'too-large':
        if (batch.length === 1) {
          result.rejected.push({ id: batch[0]!.runId, reason: outcome.reason });
          return;
        }
        await send(batch.slice(0, Math.ceil(batch.length / 2)));
        await send(batch.slice(Math.ceil(batch.length / 2)));
        return;
      case 'auth':
        throw new FieldlineError('REGISTRY_AUTH', outcome.reason);
      case 'refused':
        throw new FieldlineError('REGISTRY_REJECTED', `${outcome.reason} (${done(result)}; run the import again once fixed: the registry de-duplicates)`);
      case 'retry':
        throw new FieldlineError('REGISTRY_UNREACHABLE', `${outcome.reason} (${done(result)}; run the import again: the registry de-duplicates)`);
    }
  };
  for (const batch of batches) await send(batch);
  return result;
}

const done = (r: ImportResult): string => `${r.accepted + r.duplicate} of ${r.records} records delivered so far`;

async function uploadWithRetry(uploader: BatchUploader, batch: QueuedRecord[], options: ImportOptions) {
  const clock = options.clock ?? systemClock;
  const attempts = options.attempts ?? 5;
  const never = new AbortController().signal;
  for (let attempt = 1; ; attempt += 1) {
    const outcome = await uploader.uploadBatch(batchBody(batch), batch.map((r) => r.runId));
    if (outcome.kind !== 'retry' || attempt >= attempts) return outcome;
    // A command someone waits for: short waits (base 1 s, at most 30 s), whatever Retry-After asks beyond that.
    const delay = Math.min(outcome.retryAfterMs ?? backoffDelay(attempt, { ...DEFAULT_BACKOFF, capMs: 30_000 }, options.random), 30_000);
    await clock.sleep(delay, never);
  }
}
