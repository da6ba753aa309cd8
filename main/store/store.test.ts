import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sampleRunRecord } from '../testing/run-records';
import { openStore, type SqliteStore } from './store';

let dir: string;
let store: SqliteStore;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fieldline-store-'));
  store = openStore(dir);
});
afterEach(async () => {
  store.close();
  await rm(dir, { recursive: true, force: true });
});

const minutes = (n: number): string => new Date(Date.UTC(2026, 10, 26, 6, n)).toISOString();

describe('runs', () => {
  it('read back exactly as saved, through a new connection', () => {
    const record = sampleRunRecord();
    store.saveRun(record);
    store.close();
    store = openStore(join(dir, 'fieldline.db'));
    const back = store.getRun(record.id);
    expect(back).toStrictEqual(record);
    expect(JSON.stringify(back)).toBe(JSON.stringify(record));
  });

  it('return undefined for an unknown id', () => {
    expect(store.getRun('nope')).toBeUndefined();
    expect(store.lastRun('GW-NONE')).toBeUndefined();
  });

  it('keep steps and evidence as rows for queries, replaced when the run is saved again', () => {
    const record = sampleRunRecord({ id: 'r1' });
    store.saveRun({ ...record, outcome: 'running', steps: record.steps.slice(0, 2) });
    store.saveRun(record);
    const steps = store.db.prepare('SELECT idx, name, outcome, error_code FROM steps WHERE run_id = ? ORDER BY idx').all('r1');
    expect(steps).toEqual(record.steps.map((s, idx) => ({ idx, name: s.name, outcome: s.outcome, error_code: s.error?.code ?? null })));
    const evidence = store.db.prepare(`SELECT value FROM evidence WHERE run_id = 'r1' AND step = 3 AND key = 'nested'`).pluck().get();
    expect(JSON.parse(evidence as string)).toEqual([[1, 2], { a: [] }]);
    expect(store.db.prepare('SELECT count(*) FROM runs').pluck().get()).toBe(1);
    expect(store.listRuns()[0]?.outcome).toBe('failed');
  });

  it('list newest first, filtered by serial, id prefix and start time, limited', () => {
    store.saveRun(sampleRunRecord({ id: 'a-1', serial: 'GW-A', startedAt: minutes(1), outcome: 'passed' }));
    store.saveRun(sampleRunRecord({ id: 'b-1', serial: 'GW-B', startedAt: minutes(2) }));
    store.saveRun(sampleRunRecord({ id: 'a-2', serial: 'GW-A', startedAt: minutes(3), outcome: 'interrupted' }));
    expect(store.listRuns().map((r) => r.id)).toEqual(['a-2', 'b-1', 'a-1']);
    expect(store.listRuns({ serial: 'GW-A' }).map((r) => r.id)).toEqual(['a-2', 'a-1']);
    expect(store.listRuns({ limit: 2 }).map((r) => r.id)).toEqual(['a-2', 'b-1']);
    expect(store.listRuns({ idPrefix: 'a-' }).map((r) => r.id)).toEqual(['a-2', 'a-1']);
    expect(store.listRuns({ idPrefix: '%' })).toEqual([]);
    expect(store.listRuns({ startedSince: minutes(2) }).map((r) => r.id)).toEqual(['a-2', 'b-1']);
    expect(store.listRuns({ startedSince: minutes(4) })).toEqual([]);
    expect(store.listRuns({ serial: 'GW-A', limit: 1 })).toEqual([
      {
        id: 'a-2',
        serial: 'GW-A',
        profile: 'acme-gateway',
        profileVersion: '1.2.0',
        station: 'line-3',
        outcome: 'interrupted',
        startedAt: minutes(3),
        endedAt: new Date(Date.parse(minutes(3)) + 42_500).toISOString(),
        errorCode: 'DIAGNOSTICS_FAILED',
      },
    ]);
  });

  it("lastRun is the device's most recent run, whatever order runs were saved in", () => {
    store.saveRun(sampleRunRecord({ id: 'late', serial: 'GW-A', startedAt: minutes(9), outcome: 'passed' }));
    store.saveRun(sampleRunRecord({ id: 'early', serial: 'GW-A', startedAt: minutes(1), outcome: 'interrupted' }));
    store.saveRun(sampleRunRecord({ id: 'other', serial: 'GW-B', startedAt: minutes(20) }));
    expect(store.lastRun('GW-A')?.id).toBe('late');
    const device = store.db.prepare(`SELECT * FROM devices WHERE serial = 'GW-A'`).get();
    expect(device).toEqual({
      serial: 'GW-A',
      first_seen: minutes(1),
      last_seen: new Date(Date.parse(minutes(9)) + 42_500).toISOString(),
      last_run_id: 'late',
      firmware: '1.1.0',
    });
  });

  it('move a re-saved run to its corrected device, leaving the old device right', () => {
    store.saveRun(sampleRunRecord({ id: 'x', serial: 'GW-WRONG', startedAt: minutes(1) }));
    const record = sampleRunRecord({ id: 'x', serial: 'GW-RIGHT', startedAt: minutes(1) });
    store.saveRun(record);
    expect(store.lastRun('GW-WRONG')).toBeUndefined();
    expect(store.lastRun('GW-RIGHT')).toEqual(record);
    expect(store.db.prepare(`SELECT last_run_id FROM devices WHERE serial = 'GW-WRONG'`).pluck().get()).toBeNull();
  });

  it('refuse a record that would not read back equal, and write nothing of it', () => {
    const record = sampleRunRecord({ id: 'bad' });
    record.steps[0]!.evidence.raw = new Uint8Array([1, 2]);
    expect(() => store.saveRun(record)).toThrow(TypeError);
    const unidentified = sampleRunRecord({ id: 'anon', serial: '' });
    expect(() => store.saveRun(unidentified)).toThrow(/once its device is identified/);
    expect(store.listRuns()).toEqual([]);
  });

  it('roll the run back when a same-transaction writer (the outbox) fails', () => {
    store.close();
    store = openStore(dir, {
      onRunSaved: () => {
        throw new Error('outbox full');
      },
    });
    expect(() => store.saveRun(sampleRunRecord())).toThrow('outbox full');
    expect(store.listRuns()).toEqual([]);
    expect(store.db.prepare('SELECT count(*) FROM devices').pluck().get()).toBe(0);
  });

  it('append audit entries in the run’s own transaction: both are written, or neither', () => {
    const record = sampleRunRecord({ id: 'with-audit' });
    store.saveRun(record, [
      { actor: 'station:s', action: 'run.start', subject: record.device.serial, details: { run: record.id } },
      { actor: 'station:s', action: 'step.identify', subject: record.device.serial, details: { run: record.id, outcome: 'passed' } },
    ]);
    expect(store.getRun('with-audit')).toStrictEqual(record);
    expect(store.verifyAudit()).toMatchObject({ ok: true, entries: 2 });
    // An entry that cannot be stored (a BigInt has no JSON) takes the run's save down with it.
    const second = sampleRunRecord({ id: 'second' });
    expect(() => store.saveRun(second, [{ actor: 'a', action: 'b', subject: 'c', details: { n: 1n } }])).toThrow();
    expect(store.getRun('second')).toBeUndefined();
    expect(store.verifyAudit()).toMatchObject({ ok: true, entries: 2 });
  });

  it('link a replacement both ways only from a passed run that names the unit it replaces', () => {
    store.saveRun(sampleRunRecord({ serial: 'GW-OLD', outcome: 'passed', startedAt: minutes(1) }));
    const failed = { ...sampleRunRecord({ serial: 'GW-TRY', outcome: 'failed', startedAt: minutes(2) }), replaces: 'GW-OLD' };
    store.saveRun(failed);
    expect(store.deviceLinks('GW-OLD')).toEqual({});
    const running = { ...sampleRunRecord({ serial: 'GW-NEW', outcome: 'running', startedAt: minutes(3) }), replaces: 'GW-OLD' };
    store.saveRun(running);
    expect(store.deviceLinks('GW-NEW')).toEqual({});
    store.saveRun({ ...running, outcome: 'passed' });
    expect(store.deviceLinks('GW-OLD')).toEqual({ replacedBy: 'GW-NEW' });
    expect(store.deviceLinks('GW-NEW')).toEqual({ replaces: 'GW-OLD' });
    expect(store.deviceLinks('GW-TRY')).toEqual({});
  });
});

describe('queued runs', () => {
  const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

  it("tell this store's listeners once the run is committed, and never another store's", async () => {
    const otherDir = await mkdtemp(join(tmpdir(), 'fieldline-store-other-'));
    const other = openStore(otherDir);
    try {
      const heard: string[] = [];
      store.onRunQueued(() => heard.push('this'));
      const stop = other.onRunQueued(() => heard.push('other'));
      store.saveRun(sampleRunRecord({ id: 'q1', outcome: 'running' }));
      await nextTurn();
      expect(heard).toEqual([]);
      store.saveRun(sampleRunRecord({ id: 'q1' }));
      expect(heard).toEqual([]);
      await nextTurn();
      expect(heard).toEqual(['this']);
      // Saved again: already queued, nothing new to tell.
      store.saveRun(sampleRunRecord({ id: 'q1' }));
      stop();
      other.saveRun(sampleRunRecord({ id: 'q2' }));
      await nextTurn();
      expect(heard).toEqual(['this']);
    } finally {
      other.close();
      await rm(otherDir, { recursive: true, force: true });
    }
  });
});
