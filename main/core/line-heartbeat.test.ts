/**
 * The station app's heartbeat: its version, sent as soon as the app is assembled (not after the throttle), and the
 * line's open session as the line reports it.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { stationsReplySchema } from '../contract/registry/fleet';
import { createTestApp } from '../testing/app';
import { startTestRegistry } from '../testing/registry';
import { lineSessionReport } from './line-heartbeat';
import type { LineService } from './line-api';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

type State = ReturnType<LineService['state']>;

describe('the line session in the heartbeat', () => {
  it('is the running session: profile, since when, passed and failed', () => {
    const state = { running: true, profile: { path: '/p.yaml', name: 'gateway-eu', version: '1.2.0' }, startedAt: '2026-12-01T07:00:00.000Z', kpis: { session: { passed: 7, failed: 2 } } };
    expect(lineSessionReport({ state: () => state as unknown as State })()).toEqual({ profile: 'gateway-eu 1.2.0', since: '2026-12-01T07:00:00.000Z', passed: 7, failed: 2 });
    expect(lineSessionReport({ state: () => ({ ...state, running: false }) as unknown as State })()).toBeNull();
  });
});

describe("the station app's heartbeat", () => {
  it('reports the app version to the registry it syncs with, without waiting for the throttle', async () => {
    const registry = await startTestRegistry();
    cleanups.push(() => registry.close());
    const { app, close } = await createTestApp({ withCa: false, appInfo: { name: 'Fieldline', version: '7.7.7' } });
    cleanups.push(close);
    await app.handlers['settings:set-registry']({ url: registry.url, token: registry.token });
    await vi.waitFor(
      async () => {
        const res = await fetch(`${registry.url}/v1/stations`, { headers: { authorization: `Bearer ${registry.token}` } });
        const [station] = stationsReplySchema.parse(await res.json()).stations;
        expect(station?.heartbeat).toEqual({ version: '7.7.7', queue: { pending: 0, deadLetter: 0 }, lastRun: null, lineSession: null });
      },
      { timeout: 10_000, interval: 100 },
    );
  });
});
