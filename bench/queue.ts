/**
 * Benchmark 2: the registry outbox. N records are enqueued through the store's real saveRun path (the outbox row
 * written in the run's transaction), then drained into the reference registry — `fieldline registry serve`, a
 * child process, over loopback — and the drain is compared with a raw batch upload of the same records to a
 * fresh registry of its own: the same batch size, straight POSTs with no queue, timing only the requests. The
 * ratio drain ÷ raw is what the queue (claiming, marking, crash safety) costs on top of the network and the
 * registry; the target is ≥ 0.8.
 *
 * Enqueueing commits 1000 runs per transaction, as a busy station's importer would; a station saving each run as
 * it finishes commits one per transaction (synchronous = FULL: one fsync each), measured on a smaller sample.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createToken } from '../registry/tokens';
import type { RunRecord } from '../main/contract/run-record';
import { openStore } from '../main/store/store';
import { Drainer } from '../main/sync/drainer';
import { Outbox } from '../main/sync/outbox';
import { batchUploadReplySchema, LIMITS } from '../main/contract/registry/api';
import { RegistryClient } from '../main/sync/registry-client';
import { serveRegistryProcess } from '../main/testing/registry-process';
import { sampleRunRecord } from '../main/testing/run-records';

const ENQUEUE_TRANSACTION = 1000;
const SINGLE_SAMPLE = 2000;

export interface QueueBenchResult {
  records: number;
  recordBytes: number;
  batchRecords: number;
  enqueueRecordsPerSecond: number;
  /** Saving one run per transaction, on SINGLE_SAMPLE runs. */
  enqueueSingleRecordsPerSecond: number;
  drainRecordsPerSecond: number;
  drainSeconds: number;
  rawRecordsPerSecond: number;
  /** Mean of the raw upload before and after the drain; each apart. */
  rawSeconds: number;
  rawRuns: [number, number];
  ratio: number;
}

/** A realistic record (every optional field filled, ~3 KB), with a deterministic run id the registry accepts. */
function benchRecord(i: number): RunRecord {
  const { previousRunId: _none, ...record } = sampleRunRecord({
    id: `00000000-0000-4000-8000-${i.toString(16).padStart(12, '0')}`,
    serial: `GW-B${String(i).padStart(6, '0')}`,
    outcome: 'passed',
  });
  return record;
}

interface Registry {
  url: string;
  token: string;
  stop(): Promise<void>;
}

/** `fieldline registry serve` on a free port with a fresh database, and a token for it. */
async function startRegistryProcess(dir: string): Promise<Registry> {
  const db = join(dir, `registry-${Date.now()}.db`);
  const token = createToken(db, 'bench');
  const registry = await serveRegistryProcess(db, { stderr: 'inherit' });
  return { url: registry.url, token, stop: registry.stop };
}

function enqueue(dataDir: string, n: number): { seconds: number; singleSeconds: number; single: number } {
  const store = openStore(dataDir);
  try {
    let seconds = 0;
    for (let start = 0; start < n; start += ENQUEUE_TRANSACTION) {
      const chunk = Array.from({ length: Math.min(ENQUEUE_TRANSACTION, n - start) }, (_, k) => benchRecord(start + k));
      const t0 = performance.now();
      store.db.transaction(() => {
        for (const r of chunk) store.saveRun(r);
      }).immediate();
      seconds += (performance.now() - t0) / 1000;
    }
    // One run per transaction, as the pipeline saves them: in a second store, so the drain below is unaffected.
    const other = openStore(join(dataDir, 'single.db'));
    const single = Math.min(SINGLE_SAMPLE, n);
    const sample = Array.from({ length: single }, (_, k) => benchRecord(n + k));
    const t0 = performance.now();
    for (const r of sample) other.saveRun(r);
    const singleSeconds = (performance.now() - t0) / 1000;
    other.close();
    return { seconds, singleSeconds, single };
  } finally {
    store.close();
  }
}

async function drain(dataDir: string, registry: Registry, n: number, batchRecords: number): Promise<number> {
  const store = openStore(dataDir);
  try {
    const drainer = new Drainer({ outbox: new Outbox(store), uploader: new RegistryClient({ url: registry.url, token: registry.token, timeoutMs: 120_000 }), batchRecords });
    const t0 = performance.now();
    const pass = await drainer.drainOnce();
    const seconds = (performance.now() - t0) / 1000;
    if (pass.stopped || pass.accepted !== n) throw new Error(`drain incomplete: ${JSON.stringify(pass)}`);
    return seconds;
  } finally {
    store.close();
  }
}

/** The same records in batches of the same size, POSTed one after the other; only the requests are timed. */
async function rawUpload(registry: Registry, n: number, batchRecords: number): Promise<number> {
  let seconds = 0;
  for (let start = 0; start < n; start += batchRecords) {
    const records = Array.from({ length: Math.min(batchRecords, n - start) }, (_, k) => benchRecord(start + k));
    const body = JSON.stringify({ records });
    const t0 = performance.now();
    const res = await fetch(`${registry.url}/v1/records:batch`, {
      method: 'POST',
      headers: { authorization: `Bearer ${registry.token}`, 'content-type': 'application/json' },
      body,
    });
    const reply = batchUploadReplySchema.parse(await res.json());
    seconds += (performance.now() - t0) / 1000;
    if (reply.accepted.length !== records.length) throw new Error(`raw upload: HTTP ${res.status}, ${reply.accepted.length} of ${records.length} accepted`);
  }
  return seconds;
}

export async function runQueueBench(n: number, batchRecords = LIMITS.batchRecords): Promise<QueueBenchResult> {
  const dir = mkdtempSync(join(tmpdir(), 'fieldline-bench-queue-'));
  try {
    const dataDir = join(dir, 'station');
    mkdirSync(dataDir);
    const enqueued = enqueue(dataDir, n);
    // Raw, drain, raw again — each into a fresh registry process of its own — and the raw figure is the mean of
    // the two: on a shared machine whose load drifts, the drain is compared with what the same moment allowed.
    const raw = async (): Promise<number> => {
      const registry = await startRegistryProcess(dir);
      return rawUpload(registry, n, batchRecords).finally(() => registry.stop());
    };
    const rawBefore = await raw();
    const drainRegistry = await startRegistryProcess(dir);
    const drainSeconds = await drain(dataDir, drainRegistry, n, batchRecords).finally(() => drainRegistry.stop());
    const rawAfter = await raw();
    const rawSeconds = (rawBefore + rawAfter) / 2;
    return {
      records: n,
      recordBytes: Buffer.byteLength(JSON.stringify(benchRecord(0))),
      batchRecords,
      enqueueRecordsPerSecond: n / enqueued.seconds,
      enqueueSingleRecordsPerSecond: enqueued.single / enqueued.singleSeconds,
      drainRecordsPerSecond: n / drainSeconds,
      drainSeconds,
      rawRecordsPerSecond: n / rawSeconds,
      rawSeconds,
      rawRuns: [rawBefore, rawAfter],
      ratio: rawSeconds / drainSeconds,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
