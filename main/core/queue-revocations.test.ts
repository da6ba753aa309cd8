/** The station app's drainer sends the CA's revocation list to the registry it syncs with, as `fieldline sync` does. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { revocationsReplySchema } from '../contract/registry/revocations';
import { loadCaMaterial } from '../pki/ca-store';
import { formatName } from '../pki/dn';
import { createTestApp } from '../testing/app';
import { startTestRegistry, TEST_STATION } from '../testing/registry';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe("the station app's revocation list", () => {
  it('reaches the registry once the app syncs with one', async () => {
    const registry = await startTestRegistry();
    cleanups.push(() => registry.close());
    const { app, dataDir, close } = await createTestApp();
    cleanups.push(close);
    const issuer = formatName((await loadCaMaterial(dataDir)).intermediate.subjectName);
    await app.handlers['settings:set-registry']({ url: registry.url, token: registry.token });
    await vi.waitFor(
      async () => {
        const res = await fetch(`${registry.url}/v1/revocations`, { headers: { authorization: `Bearer ${registry.token}` } });
        const { lists } = revocationsReplySchema.parse(await res.json());
        expect(lists.find((l) => l.station === TEST_STATION)).toMatchObject({ issuer, entries: [] });
      },
      { timeout: 10_000, interval: 100 },
    );
  });
});
