/** The outbox: queued in the saveRun transaction, once per run, and every state change a drain or an export makes. */
import Database from 'better-sqlite3';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MIGRATIONS } from '../store/migrations';
import { openStore, type SqliteStore } from '../store/store';
import { registryRunRecord } from '../testing/registry';
import { Outbox } from './outbox';

let dir: string;
let store: SqliteStore;
let outbox: Outbox;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fieldline-outbox-'));
  store = openStore(dir);
  outbox = new Outbox(store);
});
afterEach(async () => {
  store.close();
  await rm(dir, { recursive: true, force: true });
});

const states = (): Record<string, string> =>
  Object.fromEntries(store.db.prepare('SELECT run_id, state FROM outbox').raw().all() as Array<[string, string]>);

describe('queueing', () => {
  it('queues a run when it first reaches a final outcome, once, never while running', () => {
    const record = registryRunRecord({ outcome: 'running' });
    store.saveRun(record);
    expect(outbox.counts().pending).toBe(0);
    store.saveRun({ ...record, outcome: 'interrupted' });
    store.saveRun({ ...record, outcome: 'interrupted', endedAt: '2026-11-26T06:00:00.000Z' });
    expect(outbox.list()).toMatchObject([{ runId: record.id, state: 'pending', attempts: 0, outcome: 'interrupted', serial: record.device.serial }]);
    // Saved again after it was sent: not queued again (the registry would answer duplicate and keep the first).
    outbox.claim(10, 1 << 20);
    outbox.acknowledge([record.id], []);
    store.saveRun({ ...record, outcome: 'failed' });
    expect(outbox.counts()).toMatchObject({ pending: 0, sent: 1 });
    for (const outcome of ['passed', 'failed', 'cancelled', 'interrupted'] as const) store.saveRun(registryRunRecord({ outcome }));
    expect(outbox.counts().pending).toBe(4);
  });

  it('is part of the run’s transaction: a failing save leaves neither run nor outbox row', () => {
    store.close();
    store = openStore(dir, {
      onRunSaved: () => {
        throw new Error('disk says no');
      },
    });
    expect(() => store.saveRun(registryRunRecord({ outcome: 'passed' }))).toThrow('disk says no');
    expect(store.db.prepare('SELECT count(*) FROM outbox').pluck().get()).toBe(0);
    expect(store.listRuns()).toEqual([]);
  });

  it('migration 2 queues the finished runs a version-1 store already had', () => {
    store.close();
    const file = join(dir, 'old.db');
    const old = openStore(file, { migrations: MIGRATIONS.slice(0, 1), outbox: false });
    const done = registryRunRecord({ outcome: 'passed' });
    old.saveRun(done);
    old.saveRun(registryRunRecord({ outcome: 'running' }));
    old.close();
    store = openStore(file);
    outbox = new Outbox(store);
    expect(outbox.list().map((r) => [r.runId, r.state])).toEqual([[done.id, 'pending']]);
    expect(outbox.status()).toEqual({ online: null, lastAttemptAt: null, lastSuccessAt: null, lastError: null, nextAttemptAt: null });
  });
});

describe('draining', () => {
  it('claims the oldest records within the count and byte limits, exactly as stored', () => {
    const records = Array.from({ length: 5 }, (_, i) => registryRunRecord({ serial: `GW-${i}`, outcome: 'passed' }));
    for (const r of records) store.saveRun(r);
    const one = Buffer.byteLength(JSON.stringify(records[0]));
    const { batch } = outbox.claim(3, 1 << 20);
    expect(batch.map((r) => r.runId)).toEqual(records.slice(0, 3).map((r) => r.id));
    expect(JSON.parse(batch[0]!.json)).toEqual(records[0]);
    // Bytes: the envelope, two records and a comma fit; a third does not.
    const { batch: byBytes } = outbox.claim(10, 14 + 2 * one + 1 + Math.floor(one / 2));
    expect(byBytes.map((r) => r.runId)).toEqual(records.slice(3, 5).map((r) => r.id));
    expect(outbox.counts()).toMatchObject({ pending: 0, inFlight: 5 });
    expect(outbox.list({ state: 'in-flight' }).every((r) => r.attempts === 1)).toBe(true);
  });

  it('dead-letters a record too large for any batch, without stopping the rest', () => {
    const big = { ...registryRunRecord({ outcome: 'passed' }), variables: { pad: 'x'.repeat(5000) } };
    const small = registryRunRecord({ outcome: 'passed' });
    store.saveRun(big);
    store.saveRun(small);
    const { batch, oversized } = outbox.claim(10, 4000);
    expect(batch.map((r) => r.runId)).toEqual([small.id]);
    expect(oversized).toEqual([{ runId: big.id, reason: expect.stringMatching(/more than a batch may carry \(4000 bytes\)/) }]);
    expect(outbox.list({ state: 'dead' })[0]?.deadReason).toMatch(/^the record is \d+ bytes/);
  });

  it('acknowledged rows are sent, rejected ones dead with the reason, released ones pending with the error', () => {
    const [a, b, c] = [0, 1, 2].map(() => registryRunRecord({ outcome: 'passed' }));
    for (const r of [a!, b!, c!]) store.saveRun(r);
    outbox.claim(10, 1 << 20);
    outbox.acknowledge([a!.id], [{ id: b!.id, reason: 'serial: too long' }]);
    outbox.release([c!.id, a!.id], 'HTTP 503');
    expect(states()).toEqual({ [a!.id]: 'sent', [b!.id]: 'dead', [c!.id]: 'pending' });
    const rows = Object.fromEntries(outbox.list().map((r) => [r.runId, r]));
    expect(rows[a!.id]?.sentAt).toMatch(/^\d{4}-/);
    expect(rows[b!.id]).toMatchObject({ deadReason: 'serial: too long', lastError: 'rejected: serial: too long' });
    expect(rows[c!.id]).toMatchObject({ lastError: 'HTTP 503', attempts: 1 });
    expect(outbox.status()).toMatchObject({ online: true, lastError: null, lastSuccessAt: expect.any(String) });
  });

  it('rows left in flight by a killed process are pending again at the next start', () => {
    const r = registryRunRecord({ outcome: 'passed' });
    store.saveRun(r);
    outbox.claim(10, 1 << 20);
    store.close();
    // A new process: a new connection to the same file.
    store = openStore(dir);
    outbox = new Outbox(store);
    expect(outbox.counts().inFlight).toBe(1);
    expect(outbox.recoverInFlight()).toBe(1);
    expect(outbox.list()).toMatchObject([{ runId: r.id, state: 'pending', attempts: 1 }]);
  });

  it('retry moves dead (and, by id, exported) rows back to pending and leaves others alone', () => {
    const [a, b, c] = [0, 1, 2].map(() => registryRunRecord({ outcome: 'passed' }));
    for (const r of [a!, b!, c!]) store.saveRun(r);
    outbox.claim(2, 1 << 20);
    outbox.acknowledge([], [{ id: a!.id, reason: 'x' }, { id: b!.id, reason: 'y' }]);
    outbox.markExported([c!.id], '/tmp/bundle.json');
    expect(outbox.retry([c!.id, 'unknown'])).toEqual([c!.id]);
    expect(outbox.retry('all')).toEqual([a!.id, b!.id]);
    expect(outbox.list().map((r) => [r.state, r.deadReason, r.exportedTo])).toEqual([
      ['pending', null, null],
      ['pending', null, null],
      ['pending', null, null],
    ]);
  });

  it('exported rows are marked sent only by reconciliation, and only those still exported', () => {
    const [a, b] = [0, 1].map(() => registryRunRecord({ outcome: 'passed' }));
    store.saveRun(a!);
    store.saveRun(b!);
    expect(outbox.markExported([a!.id, b!.id], '/x.json')).toBe(2);
    expect(outbox.exportedRows(10)).toEqual([
      { runId: a!.id, serial: a!.device.serial },
      { runId: b!.id, serial: b!.device.serial },
    ]);
    expect(outbox.markReconciled([a!.id])).toBe(1);
    expect(states()).toEqual({ [a!.id]: 'sent', [b!.id]: 'exported' });
  });

  it('keeps the sync status for other processes', () => {
    outbox.recordStatus({ online: false, lastError: 'ECONNREFUSED', nextAttemptAt: '2026-11-26T07:00:00.000Z' });
    const other = new Database(join(dir, 'fieldline.db'), { readonly: true });
    expect(other.prepare('SELECT online, last_error, next_attempt_at FROM sync_status').get()).toEqual({ online: 0, last_error: 'ECONNREFUSED', next_attempt_at: '2026-11-26T07:00:00.000Z' });
    other.close();
    expect(outbox.status()).toMatchObject({ online: false, lastError: 'ECONNREFUSED' });
  });
});
