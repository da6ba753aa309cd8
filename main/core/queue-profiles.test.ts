/** The station app's drainer sends the profiles its runs used to the registry, as `fieldline sync` does. */
import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { RunRecord } from '../contract/run-record';
import { keepRanProfile } from '../profiles/ran-profiles';
import { openStore } from '../store/store';
import { createTestApp } from '../testing/app';
import { registryRunRecord, startTestRegistry } from '../testing/registry';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe("the station app's kept profiles", () => {
  it('reach the registry once a record naming them was delivered', async () => {
    const registry = await startTestRegistry();
    cleanups.push(() => registry.close());
    const { app, dataDir, close } = await createTestApp();
    cleanups.push(close);
    const bytes = new TextEncoder().encode('name: app-ordinary\nversion: 1.0.0\n');
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    await keepRanProfile(dataDir, { sha256, bytes });
    // A run finished by another process on this data directory (the app's queue picks it up by polling).
    const other = openStore(dataDir);
    const record: RunRecord = { ...registryRunRecord({ serial: 'GW-APP-1', outcome: 'passed' }), profile: { name: 'app-ordinary', version: '1.0.0', sha256 } };
    other.saveRun(record);
    other.close();
    await app.handlers['settings:set-registry']({ url: registry.url, token: registry.token });
    await vi.waitFor(
      async () => {
        const res = await fetch(`${registry.url}/v1/artifacts/${sha256}`, { headers: { authorization: `Bearer ${registry.token}` } });
        expect(res.status).toBe(200);
        expect(Buffer.from(await res.arrayBuffer())).toEqual(Buffer.from(bytes));
      },
      { timeout: 10_000, interval: 100 },
    );
  });
});
