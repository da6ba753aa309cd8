/**
 * The registry token is bound to the registry it was given for (issue #11): a URL changed in Settings (through the
 * settings:set-registry handler, as the form calls it) must not carry the old token to the new host — neither from
 * the app, which checks the new registry at once, nor from `fieldline sync --once` run later on the same data
 * directory. The new host is a loopback listener that records every request's Authorization header.
 */
import { afterEach, describe, expect, it } from 'vitest';
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
    const changed = await station.handlers['settings:set-registry']({ url: second.url });
    expect(changed).toMatchObject({ registryUrl: second.url, tokenSet: false });
    // The app must not have used the old token on the new registry either (its health check, its drainer).
    expect(await station.handlers['queue:status']()).toMatchObject({ registryConfigured: false });

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
