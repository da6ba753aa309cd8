/**
 * The station probes on a real core: the CA read and tried with a passphrase at hand, a real registry asked over
 * HTTP (and the same registry refusing a wrong token), the store checked without being created, the profile library.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../log';
import { initCa } from '../../pki/station-ca';
import { storeFilePath } from '../../store/file';
import { startTestRegistry, type TestRegistry } from '../../testing/registry';
import { createCore, type Core } from '../core';
import { stationProbes } from './station-probes';

const PASS = 'correct horse battery staple 42';
let dir: string;
let core: Core | undefined;
let registry: TestRegistry;

beforeAll(async () => {
  registry = await startTestRegistry();
});
afterAll(async () => {
  await registry.close();
});
afterEach(async () => {
  await core?.close();
  core = undefined;
  await rm(dir, { recursive: true, force: true });
});

async function open(examplesDir?: string): Promise<Core> {
  dir = await mkdtemp(join(tmpdir(), 'fieldline-doctor-'));
  core = createCore({ dataDir: dir, logger: silentLogger, ...(examplesDir ? { examplesDir } : {}) });
  return core;
}

describe('station probes', () => {
  it('a fresh data directory: no CA, no registry, no store — and the probe does not create one', async () => {
    const c = await open();
    const probes = stationProbes(c, { unlock: 'prompt' });
    expect(await probes.ca()).toEqual({ initialized: false, ready: false, unlock: 'prompt' });
    expect(await probes.registry()).toEqual({ configured: false });
    expect(await probes.store()).toBeUndefined();
    expect(existsSync(storeFilePath(dir))).toBe(false);
  });

  it('tries the passphrase at hand once: a right one opens the CA, a wrong one is reported', async () => {
    const c = await open();
    await initCa(dir, { passphrase: PASS });
    const wrong = await stationProbes(c, { unlock: 'prompt', secretAtHand: () => 'not the passphrase at all' }).ca();
    expect(wrong).toMatchObject({ initialized: true, ready: false, unlock: 'tried' });
    expect(wrong.unlockError).toBeTruthy();
    const right = await stationProbes(c, { unlock: 'prompt', secretAtHand: (store) => (store === 'file' ? PASS : undefined) }).ca();
    expect(right).toMatchObject({ initialized: true, unlock: 'tried' });
    expect(right.unlockError).toBeUndefined();
    expect(Date.parse(right.notAfter!)).toBeGreaterThan(Date.now());
  });

  it('asks a real registry: its health with a Date header, the token accepted — and a wrong token refused', async () => {
    const c = await open();
    await (await c.settings()).setRegistry(registry.url, registry.token);
    const good = await stationProbes(c, { unlock: 'prompt' }).registry();
    expect(good).toMatchObject({ configured: true, health: { status: 200 }, auth: { status: 404 } });
    if (!good.configured || 'error' in good.health) throw new Error('expected an answer');
    expect(Math.abs(Date.parse(good.health.date!) - Date.now())).toBeLessThan(5000);
    await (await c.settings()).setRegistry(registry.url, 'wrong-token');
    expect(await stationProbes(c, { unlock: 'prompt' }).registry()).toMatchObject({ auth: { status: 401 } });
  });

  it('reports a registry that does not answer', async () => {
    const c = await open();
    await (await c.settings()).setRegistry('http://127.0.0.1:9', 'token');
    const r = await stationProbes(c, { unlock: 'prompt' }).registry();
    expect(r).toMatchObject({ configured: true, health: { error: expect.any(String) } });
  });

  it('quick-checks a real store and verifies its audit chain; a damaged file is reported, not thrown', async () => {
    const c = await open();
    c.store().appendAudit({ actor: 't', action: 'test', subject: 's' });
    expect(await stationProbes(c, { unlock: 'prompt' }).store()).toEqual({ quickCheck: ['ok'], audit: { ok: true, entries: 1 } });
    await c.close();
    await writeFile(storeFilePath(dir), 'this is not a database, but it is long enough to be read as one '.repeat(100));
    core = createCore({ dataDir: dir, logger: silentLogger });
    const damaged = await stationProbes(core, { unlock: 'prompt' }).store();
    expect(damaged?.quickCheck).toEqual({ error: expect.any(String) });
  });

  it('reads the profile library: the shipped examples, each with its firmware section and signing keys', async () => {
    const c = await open(fileURLToPath(new URL('../../../resources/profiles', import.meta.url)));
    const profiles = await stationProbes(c, { unlock: 'prompt' }).profiles();
    expect(profiles.length).toBeGreaterThanOrEqual(2);
    for (const p of profiles) expect(p).toMatchObject({ name: expect.any(String), firmware: expect.any(Boolean), signingKeys: expect.any(Number) });
    // The examples flash firmware without naming signing keys: the doctor's warning is true of them.
    expect(profiles.some((p) => p.firmware && p.signingKeys === 0)).toBe(true);
  });
});
