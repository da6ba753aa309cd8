/**
 * The registry token is bound to the registry it was given for (issue #11): a URL changed in Settings (through the
 * settings:set-registry handler, as the form calls it) must not carry the old token to the new host — neither from
 * the app, which tests a new registry before saving it and refuses one without its token, nor from `fieldline sync
 * --once` run on a data directory whose registry.json was pointed elsewhere. The new host is a loopback listener that records every request's Authorization header.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { REGISTRY_CONFIG_FILE } from '../sync/registry-config';
import { withStoreOf } from '../testing/core-store';
import { lastJsonLine, runFieldline } from '../testing/cli';
import { createTestApp, type TestApp } from '../testing/app';
import { startFaultRegistry, type FaultRegistry } from '../testing/fault-registry';
import { registryRunRecord } from '../testing/registry';

const TOKEN = 'flt_given-for-the-first-registry';
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function listener(): Promise<FaultRegistry> {
  const registry = await startFaultRegistry();
  cleanups.push(() => registry.close());
  return registry;
}

async function app(): Promise<TestApp> {
  const created = await createTestApp({ withCa: false });
  cleanups.push(() => created.close());
  return created;
}

describe('after the registry URL changes', () => {
  it('fieldline sync --once sends no token to the new URL, says one is needed and exits non-zero', async () => {
    const first = await listener();
    const second = await listener();
    const { app: station, dataDir } = await app();

    await station.handlers['settings:set-registry']({ url: first.url, token: TOKEN });
    // Settings tests a registry before saving it (issue #17): a new URL without its token is refused, nothing saved.
    await expect(station.handlers['settings:set-registry']({ url: second.url })).rejects.toMatchObject({ code: 'REGISTRY_TOKEN_NEEDED' });
    expect(await station.handlers['queue:status']()).toMatchObject({ registryConfigured: true });
    expect(second.requests).toEqual([]);

    // registry.json pointed at another registry behind the station's back (a hand edit, or an older Fieldline whose
    // Settings saved a URL alone): the token stays bound to the first registry's origin.
    writeFileSync(join(dataDir, REGISTRY_CONFIG_FILE), JSON.stringify({ url: second.url }) + '\n');

    const record = registryRunRecord({ serial: 'GW-TOKEN-1', outcome: 'passed' });
    await withStoreOf(dataDir, (store) => store.saveRun(record));

    const sync = await runFieldline(['sync', '--once', '--json', '--data-dir', dataDir]);
    expect(sync.code, sync.stderr).not.toBe(0);
    expect(lastJsonLine(sync.stdout)).toMatchObject({
      error: {
        code: 'REGISTRY_TOKEN_NEEDED',
        message: expect.stringContaining(`no token for ${second.url}: run fieldline registry login --url ${second.url} --token-stdin`),
      },
    });
    expect(second.requests.map((r) => r.authorization).filter((a) => a !== undefined)).toEqual([]);
    expect(JSON.stringify(second.requests)).not.toContain(TOKEN);

    // Given again, the token is sent to the new registry, and the run goes.
    await station.handlers['settings:set-registry']({ url: second.url, token: TOKEN });
    const again = await runFieldline(['sync', '--once', '--json', '--data-dir', dataDir]);
    expect(again.code, again.stdout + again.stderr).toBe(0);
    expect(second.stored).toContain(record.id);
    expect(second.requests.some((r) => r.authorization === `Bearer ${TOKEN}`)).toBe(true);
  }, 60_000);
});
