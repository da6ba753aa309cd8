/**
 * The core opens what a front end uses and nothing more (a runs listing asks for no passphrase and reads no CA),
 * every run goes through its one runner, and close() ends the runs under way — rolled back and recorded — before the
 * store they write to is closed.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../log';
import { initCa } from '../pki/station-ca';
import { loadProfile } from '../profiles/load';
import { storeFilePath } from '../store/file';
import { openStore } from '../store/store';
import { REPO_ROOT } from '../testing/cli';
import { spawnSimulator, type SpawnedSimulator } from '../testing/sim-process';
import { createCore } from './core';

const PASSPHRASE = 'core-test-passphrase';
let dataDir: string;
beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'fieldline-core-'));
});
afterEach(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

describe('createCore opens on first use', () => {
  it('opens nothing by being created, and closes cleanly having opened nothing', async () => {
    const core = createCore({ dataDir, logger: silentLogger, askPassphrase: () => Promise.reject(new Error('asked')) });
    expect(existsSync(storeFilePath(dataDir))).toBe(false);
    await core.close();
    expect(existsSync(storeFilePath(dataDir))).toBe(false);
  });

  it('lists runs without asking for the passphrase or unlocking the CA', async () => {
    await initCa(dataDir, { passphrase: PASSPHRASE });
    let asked = 0;
    const core = createCore({
      dataDir,
      logger: silentLogger,
      askPassphrase: () => {
        asked += 1;
        return Promise.resolve(PASSPHRASE);
      },
    });
    try {
      expect(core.store().listRuns({ limit: 10 })).toEqual([]);
      expect(core.ca.ready).toBe(false);
      expect(asked).toBe(0);
    } finally {
      await core.close();
    }
  });

  it('asks for the passphrase once, when a signer is first needed', async () => {
    await initCa(dataDir, { passphrase: PASSPHRASE });
    let asked = 0;
    const core = createCore({
      dataDir,
      logger: silentLogger,
      askPassphrase: () => {
        asked += 1;
        return Promise.resolve(PASSPHRASE);
      },
    });
    try {
      const first = await core.signer();
      expect(await core.signer()).toBe(first);
      expect(asked).toBe(1);
      expect(core.ca.ready).toBe(true);
    } finally {
      await core.close();
    }
  });

  it('without a way to ask (the app), a locked CA stays locked: CA_LOCKED', async () => {
    await initCa(dataDir, { passphrase: PASSPHRASE });
    const core = createCore({ dataDir, logger: silentLogger });
    try {
      await expect(core.signer()).rejects.toMatchObject({ code: 'CA_LOCKED' });
    } finally {
      await core.close();
    }
  });

  it('close() closes the store it opened', async () => {
    const core = createCore({ dataDir, logger: silentLogger });
    const store = core.store();
    await core.close();
    // better-sqlite3 refuses every statement on a closed connection.
    expect(() => store.listRuns({ limit: 1 })).toThrow();
  });
});

describe('the runner and close order', { timeout: 120_000 }, () => {
  let sim: SpawnedSimulator;
  beforeAll(async () => {
    sim = await spawnSimulator({ count: 1, baud: 0, extra: ['--delay', 'reboot=100'] });
  }, 60_000);
  afterAll(async () => {
    await sim?.stop();
  });

  it('close() cancels a run under way, waits for its rollback to be recorded, and only then closes the store', async () => {
    await initCa(dataDir, { passphrase: PASSPHRASE });
    const profile = await loadProfile(join(REPO_ROOT, 'resources/profiles/gateway-eu.yaml'));
    const core = createCore({ dataDir, logger: silentLogger, station: { name: 'core-test' }, askPassphrase: () => Promise.resolve(PASSPHRASE) });
    let identified!: () => void;
    const identifiedOnce = new Promise<void>((resolve) => (identified = resolve));
    const running = core.runner.run({
      port: sim.gateways[0]!.port,
      profile,
      variables: { site: 'COR-1' },
      rebootTimeoutMs: 20_000,
      events: { onStepEnd: (step) => step.name === 'identify' && identified() },
    });
    // A run that ends before identify (a bad variable, no device) fails the test at once instead of timing out.
    await Promise.race([identifiedOnce, running.then((r) => Promise.reject(new Error(`the run ended before identify: ${r.outcome}`)))]);
    expect(core.runner.activeCount).toBe(1);
    await core.close();
    // close() returned only after the run had ended: its record is final, and it was written before the store closed.
    const record = await running;
    expect(record.outcome).toBe('cancelled');
    expect(record.station).toEqual({ name: 'core-test' });
    expect(core.runner.activeCount).toBe(0);
    const reopened = openStore(dataDir);
    try {
      expect(reopened.getRun(record.id)).toMatchObject({ outcome: 'cancelled', endedAt: record.endedAt });
    } finally {
      reopened.close();
    }
    await expect(core.runner.run({ port: sim.gateways[0]!.port, profile, variables: { site: 'COR-2' } })).rejects.toThrow(/closed/);
  });
});
