/**
 * Crash safety of the drain: a `fieldline sync` child process is killed with SIGKILL at random moments while it
 * drains a few thousand records, and restarted each time. The reference registry sits behind a loopback proxy
 * that holds each batch a little (so kills land mid-request too: the registry then stores a batch whose sender is
 * gone) and forwards it whether or not the client is still there. At the end every record is in the registry
 * exactly once and every outbox row is sent.
 */
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRng } from '../simulator/runtime/faults';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../store/store';
import { lastJsonLine, REPO_ROOT, runFieldline } from '../testing/cli';
import { startFaultRegistry, type FaultRegistry } from '../testing/fault-registry';
import { registryRunRecord, startTestRegistry, type TestRegistry } from '../testing/registry';
import { Outbox } from './outbox';
import { saveRegistrySettings } from './registry-config';

const RECORDS = 3000;
const BATCH = 20;
const KILLS_MID_DRAIN = 20;
const BIN = join(REPO_ROOT, 'bin/fieldline.js');

let work: string;
let dataDir: string;
let reg: TestRegistry;
let proxy: FaultRegistry;
const ids: string[] = [];

/** Deterministic randomness, so a failure can be replayed with the same kill moments. */
const rng = createRng;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'fieldline-kill-'));
  dataDir = join(work, 'station');
  mkdirSync(dataDir);
  reg = await startTestRegistry();
  proxy = await startFaultRegistry({ target: reg.url, fault: (r) => (r.path === '/v1/records:batch' ? { delayMs: 15 } : undefined) });
  saveRegistrySettings(dataDir, { url: proxy.url, token: reg.token });
  const store = openStore(dataDir);
  store.db.transaction(() => {
    for (let i = 0; i < RECORDS; i += 1) {
      const r = registryRunRecord({ serial: `GW-K${String(i).padStart(5, '0')}`, outcome: 'passed' });
      store.saveRun(r);
      ids.push(r.id);
    }
  })();
  store.close();
});

afterAll(async () => {
  await proxy?.close();
  await reg?.close();
  if (work) await rm(work, { recursive: true, force: true });
});

function counts(): { pending: number; inFlight: number; sent: number; deadLetter: number } {
  const store = openStore(dataDir);
  try {
    return new Outbox(store).counts();
  } finally {
    store.close();
  }
}

describe('fieldline sync killed with SIGKILL mid-drain', () => {
  it(`ends with every record in the registry exactly once after ${KILLS_MID_DRAIN}+ kills and restarts`, async () => {
    const random = rng(20261126);
    let midDrain = 0;
    let kills = 0;
    while (midDrain < KILLS_MID_DRAIN) {
      expect(kills, 'the drain finished before enough kills landed in it').toBeLessThan(60);
      const before = proxy.requests.length;
      const child = spawn(process.execPath, [BIN, 'sync', '--json', '--batch-records', String(BATCH), '--data-dir', dataDir], { cwd: REPO_ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      // Wait until this process has sent its first batch, then a random while longer (0–300 ms: before, during
      // and after requests, inside and between the store's transactions).
      const started = Date.now();
      while (proxy.requests.length === before && Date.now() - started < 20_000 && child.exitCode === null) await new Promise((r) => setTimeout(r, 5));
      await new Promise((r) => setTimeout(r, Math.floor(random() * 300)));
      const left = counts();
      child.kill('SIGKILL');
      await exited;
      kills += 1;
      if (left.pending + left.inFlight > 0 && proxy.requests.length > before) midDrain += 1;
      if (left.pending + left.inFlight === 0) break;
    }
    expect(midDrain).toBeGreaterThanOrEqual(KILLS_MID_DRAIN);

    const finish = await runFieldline(['sync', '--once', '--json', '--data-dir', dataDir]);
    expect(finish.code, finish.stdout + finish.stderr).toBe(0);
    expect(lastJsonLine(finish.stdout)).toMatchObject({ ok: true, remaining: 0, deadLettered: 0 });

    const db = reg.registry.db;
    expect(db.prepare('SELECT count(*) AS n, count(DISTINCT id) AS distinctIds FROM records').get()).toEqual({ n: RECORDS, distinctIds: RECORDS });
    expect((db.prepare('SELECT id FROM records').pluck().all() as string[]).sort()).toEqual([...ids].sort());
    expect(counts()).toMatchObject({ sent: RECORDS, pending: 0, inFlight: 0, deadLetter: 0 });
    // Kills did cut batches off: some records went out more than once, and the registry absorbed every resend.
    const sentIds = proxy.requests.reduce((n, r) => n + r.ids.length, 0);
    expect(sentIds).toBeGreaterThan(RECORDS);
  }, 300_000);
});
