/**
 * The drainer against the reference registry and against a misbehaving stub: down then up, 5xx and timeouts,
 * 429 with Retry-After, a rejected record, 400/413 splitting, a refused token, a reply that accounts for nothing.
 * The clock is injected: back-off delays are recorded, not waited for.
 */
import Database from 'better-sqlite3';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startRegistry, type RunningRegistry } from '../../registry/server';
import { createToken } from '../../registry/tokens';
import { FieldlineError } from '../errors';
import { openStore, type SqliteStore } from '../store/store';
import { startFaultRegistry, type Fault, type FaultRegistry } from '../testing/fault-registry';
import { registryRunRecord } from '../testing/registry';
import { sampleRunRecord } from '../testing/run-records';
import type { Clock } from './clock';
import { Drainer, type DrainState } from './drainer';
import { Outbox } from './outbox';
import { RegistryClient } from './registry-client';

let dir: string;
let store: SqliteStore;
let outbox: Outbox;
const cleanups: Array<() => Promise<void>> = [];
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fieldline-drainer-'));
  store = openStore(join(dir, 'station'));
  outbox = new Outbox(store);
});
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
  store.close();
  await rm(dir, { recursive: true, force: true });
});

const START = Date.parse('2026-11-26T06:00:00.000Z');

/** A clock whose sleeps return at once, moving time on; `onSleep` may act (start a registry) or stop the run. */
function fakeClock(onSleep: (ms: number, n: number) => void | Promise<void> = () => {}): { clock: Clock; sleeps: number[] } {
  let t = START;
  const sleeps: number[] = [];
  return {
    sleeps,
    clock: {
      now: () => t,
      sleep: async (ms) => {
        sleeps.push(ms);
        t += ms;
        await onSleep(ms, sleeps.length);
      },
    },
  };
}

function queue(n: number, prefix = 'GW'): string[] {
  const ids: string[] = [];
  for (let i = 0; i < n; i += 1) {
    const r = registryRunRecord({ serial: `${prefix}-${i}`, outcome: 'passed' });
    store.saveRun(r);
    ids.push(r.id);
  }
  return ids;
}

async function stub(fault: (r: { ids: string[]; bytes: number }, i: number) => Fault | undefined): Promise<FaultRegistry> {
  const s = await startFaultRegistry({ fault });
  cleanups.push(() => s.close());
  return s;
}

const client = (url: string, timeoutMs = 2000): RegistryClient => new RegistryClient({ url, token: 'flt_test', timeoutMs });

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

describe('drainer', () => {
  it('backs off (full jitter, doubling) while the registry is down, then delivers each record once when it is up', async () => {
    const dbFile = join(dir, 'registry.db');
    const token = createToken(dbFile, 'line-3');
    const port = await freePort();
    const ids = queue(7);
    let registry: RunningRegistry | undefined;
    const abort = new AbortController();
    const states: DrainState[] = [];
    const { clock, sleeps } = fakeClock(async (_ms, n) => {
      if (n === 3) registry = await startRegistry({ dbFile, port });
      if (n === 4) abort.abort();
    });
    const drainer = new Drainer({ outbox, uploader: new RegistryClient({ url: `http://127.0.0.1:${port}`, token }), batchRecords: 3, clock, random: () => 0.5, pollMs: 60_000 });
    drainer.subscribe((s) => states.push(s));
    await drainer.run(abort.signal);
    cleanups.push(async () => registry?.close());

    // Three failed passes: 0.5 × 1 s, 2 s, 4 s; then delivered, then the idle poll.
    expect(sleeps).toEqual([500, 1000, 2000, 60_000]);
    expect(states.some((s) => s.online === false && /ECONNREFUSED/.test(s.lastError ?? '') && s.nextAttemptAt === new Date(START + 500).toISOString())).toBe(true);
    expect(drainer.state()).toMatchObject({ online: true, pending: 0, inFlight: 0, deadLetter: 0, lastError: null, nextAttemptAt: null });
    expect(outbox.counts()).toMatchObject({ sent: 7, pending: 0 });
    const db = new Database(dbFile, { readonly: true });
    expect(db.prepare('SELECT count(*) AS n, count(DISTINCT id) AS d FROM records').get()).toEqual({ n: 7, d: 7 });
    expect((db.prepare('SELECT id FROM records ORDER BY seq').pluck().all() as string[]).sort()).toEqual([...ids].sort());
    db.close();
  });

  it('keeps records through 500s, a cut connection and a timeout, and sends each once more', async () => {
    const faults: Fault[] = [{ status: 500 }, { status: 502 }, { destroy: true }, { hang: true }];
    const s = await stub((_r, i) => faults[i]);
    queue(4);
    const { clock, sleeps } = fakeClock();
    const drainer = new Drainer({ outbox, uploader: client(s.url, 300), clock, random: () => 0.5 });
    for (let i = 0; i < 4; i += 1) {
      const pass = await drainer.drainOnce();
      expect(pass.stopped?.kind).toBe('retry');
      expect(outbox.counts()).toMatchObject({ pending: 4, inFlight: 0, sent: 0, deadLetter: 0 });
    }
    expect(outbox.list()[0]?.lastError).toMatch(/no answer within 300 ms/);
    const pass = await drainer.drainOnce();
    expect(pass).toMatchObject({ accepted: 4, remaining: 0 });
    expect(pass.stopped).toBeUndefined();
    expect(s.stored).toHaveLength(4);
    expect(outbox.list().map((r) => r.attempts)).toEqual([5, 5, 5, 5]);
    expect(sleeps).toEqual([]);
  });

  it('waits exactly as long as Retry-After says (429), instead of its own back-off', async () => {
    const s = await stub((_r, i) => (i === 0 ? { status: 429, headers: { 'retry-after': '7' } } : undefined));
    queue(2);
    const abort = new AbortController();
    const { clock, sleeps } = fakeClock((_ms, n) => {
      if (n === 1) expect(outbox.status()).toMatchObject({ online: false, nextAttemptAt: new Date(START + 7000).toISOString(), lastError: expect.stringMatching(/HTTP 429/) });
      if (n === 2) abort.abort();
    });
    const drainer = new Drainer({ outbox, uploader: new RegistryClient({ url: s.url, token: 't', now: clock.now }), clock, random: () => 0.5, pollMs: 1000 });
    await drainer.run(abort.signal);
    expect(sleeps).toEqual([7000, 1000]);
    expect(s.stored).toHaveLength(2);
  });

  it('dead-letters the one record the registry rejects, with its reason, and sends the rest (reference registry)', async () => {
    const dbFile = join(dir, 'registry.db');
    const token = createToken(dbFile, 'line-3');
    const registry = await startRegistry({ dbFile });
    cleanups.push(() => registry.close());
    const good = queue(3);
    // sampleRunRecord's previousRunId ('run-before') is not a run id: the registry's schema refuses it.
    const bad = sampleRunRecord({ serial: 'GW-BAD', outcome: 'passed' });
    store.saveRun(bad);
    const drainer = new Drainer({ outbox, uploader: new RegistryClient({ url: registry.url, token }) });
    const pass = await drainer.drainOnce();
    expect(pass).toMatchObject({ accepted: 3, duplicate: 0, deadLettered: 1, remaining: 0 });
    expect(outbox.list({ state: 'dead' })).toMatchObject([{ runId: bad.id, deadReason: expect.stringMatching(/previousRunId/) }]);
    expect(outbox.list({ state: 'sent' }).map((r) => r.runId).sort()).toEqual([...good].sort());
    expect(drainer.state()).toMatchObject({ deadLetter: 1, pending: 0 });
    expect(registry.db.prepare('SELECT count(*) FROM records').pluck().get()).toBe(3);
  });

  it('dead-letters a record the registry holds other content for (a conflict) with the registry’s reason, never as sent', async () => {
    const dbFile = join(dir, 'registry.db');
    const token = createToken(dbFile, 'line-3');
    const registry = await startRegistry({ dbFile });
    cleanups.push(() => registry.close());
    const mine = registryRunRecord({ serial: 'GW-CONFLICT', outcome: 'passed' });
    // Another station filed a different run under the same id first.
    const other = new RegistryClient({ url: registry.url, token: createToken(registry.db, 'line-9') });
    expect(await other.uploadRecords([{ ...mine, outcome: 'failed' }])).toMatchObject({ kind: 'acknowledged', reply: { accepted: [mine.id] } });
    store.saveRun(mine);
    const [fine] = queue(1);
    const pass = await new Drainer({ outbox, uploader: new RegistryClient({ url: registry.url, token }) }).drainOnce();
    expect(pass).toMatchObject({ accepted: 1, duplicate: 0, deadLettered: 1, remaining: 0 });
    expect(outbox.list({ state: 'dead' })).toMatchObject([
      { runId: mine.id, deadReason: expect.stringMatching(/^RECORD_CONFLICT: another record is stored under this id \(it differs in outcome\)/) },
    ]);
    expect(outbox.list({ state: 'sent' }).map((r) => r.runId)).toEqual([fine]);
  });

  it('splits a batch refused as a whole (400) until the malformed record stands alone', async () => {
    const ids = queue(8);
    const poison = ids[5]!;
    const s = await stub((r) => (r.ids.includes(poison) ? { status: 400, body: { error: { code: 'BAD_REQUEST', message: 'record 6 is broken' } } } : undefined));
    const pass = await new Drainer({ outbox, uploader: client(s.url) }).drainOnce();
    expect(pass).toMatchObject({ accepted: 7, deadLettered: 1, remaining: 0 });
    expect(outbox.list({ state: 'dead' })).toMatchObject([{ runId: poison, deadReason: expect.stringMatching(/malformed.*record 6 is broken/) }]);
    expect([...s.stored].sort()).toEqual(ids.filter((id) => id !== poison).sort());
    expect(s.requests.length).toBeLessThanOrEqual(8);
  });

  it('halves batches the registry finds too large (413) and keeps the lower limit', async () => {
    queue(12);
    const limit = 4 * Buffer.byteLength(outbox.pending()[0]!.json);
    const s = await stub((r) => (r.bytes > limit ? { status: 413 } : undefined));
    const pass = await new Drainer({ outbox, uploader: client(s.url) }).drainOnce();
    expect(pass).toMatchObject({ accepted: 12, deadLettered: 0, remaining: 0 });
    const firstOk = s.requests.findIndex((r) => r.bytes <= limit);
    // After the first refusals, no batch was over the limit again.
    expect(s.requests.slice(firstOk).every((r) => r.bytes <= limit)).toBe(true);
    expect(s.requests.length).toBeLessThan(12);
  });

  it('stops on a refused token without spinning or dead-lettering anything', async () => {
    const s = await stub(() => ({ status: 401, body: { error: { code: 'UNAUTHORIZED', message: 'a valid station token is required' } } }));
    queue(3);
    const { clock } = fakeClock();
    const pass = await new Drainer({ outbox, uploader: client(s.url), clock, backoff: { capMs: 120_000 } }).drainOnce();
    expect(pass.stopped).toMatchObject({ kind: 'auth', retryInMs: 120_000, reason: expect.stringMatching(/registry login/) });
    expect(s.requests).toHaveLength(1);
    expect(outbox.counts()).toMatchObject({ pending: 3, deadLetter: 0 });
  });

  it('marks nothing from a reply that does not account for the records sent', async () => {
    const s = await stub(() => ({ status: 200, body: { accepted: [], duplicate: [], rejected: [] } }));
    queue(2);
    const pass = await new Drainer({ outbox, uploader: client(s.url), clock: fakeClock().clock }).drainOnce();
    expect(pass.stopped).toMatchObject({ kind: 'retry', reason: expect.stringMatching(/does not account/) });
    expect(outbox.counts()).toMatchObject({ pending: 2, sent: 0, deadLetter: 0 });
  });

  it('keeps running when the local store is busy: backs off as for the registry, then goes on', async () => {
    const s = await stub(() => undefined);
    queue(2);
    let busy = true;
    class BusyOnce extends Outbox {
      override claim(maxRecords: number, maxBytes: number): ReturnType<Outbox['claim']> {
        if (busy) {
          busy = false;
          throw new FieldlineError('STORE_BUSY', 'fieldline.db: database is locked');
        }
        return super.claim(maxRecords, maxBytes);
      }
    }
    const abort = new AbortController();
    const { clock, sleeps } = fakeClock((_ms, n) => {
      if (n === 2) abort.abort();
    });
    const drainer = new Drainer({ outbox: new BusyOnce(store), uploader: client(s.url), clock, random: () => 0.5, pollMs: 1000 });
    const states: DrainState[] = [];
    drainer.subscribe((st) => states.push(st));
    await drainer.run(abort.signal);
    expect(sleeps).toEqual([500, 1000]);
    expect(states.some((st) => /local store: .*locked/.test(st.lastError ?? ''))).toBe(true);
    expect(s.stored).toHaveLength(2);
  });

  it('wakes when a run is queued in this process, without waiting for its poll', async () => {
    const s = await stub(() => undefined);
    const abort = new AbortController();
    // A clock whose sleeps never end by time, only when their signal aborts: a delivery can then only come from
    // the wake, however slow the machine — no stopwatch, which a loaded CI exceeds.
    const sleeps: Array<{ ms: number; ended: boolean }> = [];
    let idle: () => void = () => {};
    const sleeping = new Promise<void>((resolve) => (idle = resolve));
    const clock: Clock = {
      now: () => Date.now(),
      sleep: (ms, signal) =>
        new Promise<void>((resolve) => {
          const sleep = { ms, ended: false };
          sleeps.push(sleep);
          signal.addEventListener('abort', () => ((sleep.ended = true), resolve()), { once: true });
          idle();
        }),
    };
    const drainer = new Drainer({ outbox, uploader: client(s.url), pollMs: 600_000, clock });
    const running = drainer.run(abort.signal);
    const delivered = new Promise<void>((resolve) => drainer.subscribe((st) => st.online && st.pending === 0 && s.stored.length === 1 && resolve()));
    await sleeping;
    expect(sleeps).toEqual([{ ms: 600_000, ended: false }]);
    queue(1);
    await delivered;
    expect(sleeps[0]).toEqual({ ms: 600_000, ended: true });
    abort.abort();
    await running;
  });
});
