/**
 * The heartbeat a sync pass sends: after the records, from what the store and the outbox hold then; a heartbeat the
 * registry does not take costs the records nothing, and a pass that did not reach the registry sends none.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startRegistry } from '../../registry/server';
import { createToken } from '../../registry/tokens';
import { stationsReplySchema } from '../contract/registry/fleet';
import { createLogger, type LogRecord } from '../log';
import { openStore, type SqliteStore } from '../store/store';
import { registryRunRecord } from '../testing/registry';
import { sampleServiceRecord } from '../testing/run-records';
import { Drainer } from './drainer';
import { collectHeartbeat } from './heartbeat';
import { Outbox } from './outbox';
import { RegistryClient } from './registry-client';

let dir: string;
let store: SqliteStore;
let outbox: Outbox;
const cleanups: Array<() => Promise<void>> = [];
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fieldline-heartbeat-'));
  store = openStore(join(dir, 'station'));
  outbox = new Outbox(store);
});
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
  store.close();
  await rm(dir, { recursive: true, force: true });
});

async function registry(): Promise<{ client: RegistryClient; stations: () => Promise<unknown> }> {
  const dbFile = join(dir, 'registry.db');
  const token = createToken(dbFile, 'line-7');
  const running = await startRegistry({ dbFile });
  cleanups.push(() => running.close());
  const stations = async (): Promise<unknown> => stationsReplySchema.parse(await (await fetch(`${running.url}/v1/stations`, { headers: { authorization: `Bearer ${token}` } })).json()).stations;
  return { client: new RegistryClient({ url: running.url, token }), stations };
}

describe('the heartbeat of a sync pass', () => {
  it('is sent after the records, and reports the queue, the newest run and the version as they are then', async () => {
    const { client, stations } = await registry();
    store.saveRun(registryRunRecord({ serial: 'HB-1', outcome: 'passed', startedAt: '2026-12-01T08:00:00.000Z' }));
    const newest = registryRunRecord({ serial: 'HB-2', outcome: 'failed', startedAt: '2026-12-01T09:00:00.000Z' });
    store.saveRun(newest);
    const drainer = new Drainer({ outbox, uploader: client, heartbeat: () => client.sendHeartbeat(collectHeartbeat({ version: '9.8.7', store, outbox })) });

    expect(await drainer.drainOnce()).toMatchObject({ accepted: 2, remaining: 0 });
    expect(await stations()).toEqual([
      {
        name: 'line-7',
        registeredAt: expect.any(String),
        lastSeen: expect.any(String),
        heartbeat: { version: '9.8.7', queue: { pending: 0, deadLetter: 0 }, lastRun: { id: newest.id, at: newest.startedAt, outcome: 'failed' }, lineSession: null },
      },
    ]);
  });

  it("reports the station's newest provisioning run: a later field-service record is no run of the line (issue #16)", () => {
    const newest = registryRunRecord({ serial: 'HB-3', outcome: 'failed', startedAt: '2026-12-01T09:00:00.000Z' });
    store.saveRun(newest);
    store.saveRun(sampleServiceRecord({ serial: 'HB-3', startedAt: '2026-12-01T10:00:00.000Z' }));
    expect(collectHeartbeat({ version: '1', store, outbox }).lastRun).toEqual({ id: newest.id, at: newest.startedAt, outcome: 'failed' });
  });

  it('reports the open line session the sender knows, cut to the bounds', () => {
    const beat = collectHeartbeat({
      version: 'v'.repeat(100),
      store,
      outbox,
      lineSession: () => ({ profile: 'p'.repeat(300), since: '2026-12-01T07:00:00.000Z', passed: 3, failed: 1 }),
    });
    expect(beat).toEqual({ version: 'v'.repeat(64), queue: { pending: 0, deadLetter: 0 }, lastRun: null, lineSession: { profile: 'p'.repeat(200), since: '2026-12-01T07:00:00.000Z', passed: 3, failed: 1 } });
  });

  it('failing costs the records nothing: the pass is acknowledged as it was, and the failure is only logged', async () => {
    const { client } = await registry();
    store.saveRun(registryRunRecord({ serial: 'HB-3', outcome: 'passed' }));
    const logs: LogRecord[] = [];
    const drainer = new Drainer({
      outbox,
      uploader: client,
      logger: createLogger('drainer', (r) => logs.push(r)),
      heartbeat: () => client.sendHeartbeat({ ...collectHeartbeat({ version: '1.0.0', store, outbox }), queue: { pending: -1, deadLetter: 0 } }),
    });
    const pass = await drainer.drainOnce();
    expect(pass).toEqual({ accepted: 1, duplicate: 0, deadLettered: 0, remaining: 0 });
    expect(outbox.counts()).toMatchObject({ pending: 0, sent: 1 });
    expect(logs.find((r) => r.message.startsWith('the heartbeat was not delivered'))).toMatchObject({ level: 'warn', fields: { error: expect.stringMatching(/HTTP 400 BAD_REQUEST: not a heartbeat: queue\.pending/) } });
  });

  it('is not sent after a pass that did not reach the registry', async () => {
    store.saveRun(registryRunRecord({ serial: 'HB-4', outcome: 'passed' }));
    let beats = 0;
    const client = new RegistryClient({ url: 'http://127.0.0.1:9', token: 'flt_test', timeoutMs: 2000 });
    const drainer = new Drainer({ outbox, uploader: client, heartbeat: async () => void (beats += 1) });
    const pass = await drainer.drainOnce();
    expect(pass.stopped).toMatchObject({ kind: 'retry' });
    expect(beats).toBe(0);
    expect(outbox.counts()).toMatchObject({ pending: 1 });
  });
});
