/**
 * The release gate over the station's WebSocket (issue #15): on a station that follows a release channel, a run with
 * a profile that is not one of its releases is refused with PROFILE_UNRELEASED; `allowUnreleased` is a supervisor's
 * override — a technician asking for it is refused PERMISSION_DENIED before anything is loaded, a supervisor gets
 * past the gate (here to the missing device) and the use is audited under their name.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { FieldlineApi } from '../contract/api';
import { createWebBridge, type SocketLike, type WebBridge } from '../../renderer/src/bridge/web';
import { selectEntries } from '../store/audit';
import { artifactPath, followChannel } from '../sync/release-store';
import { createTestApp, type TestApp } from '../testing/app';
import { withStoreOf } from '../testing/core-store';
import { seedOperators } from '../testing/operators';
import { holdRelease } from '../testing/releases';
import { startStationServer, type StationServer } from './station-server';

const ADMIN = { name: 'ada', role: 'admin', secret: 'admin-passphrase' } as const;
const SUPERVISOR = { name: 'sue', role: 'supervisor', secret: 'supervisor-passphrase' } as const;
const TECH = { name: 'tom', role: 'technician', secret: '4711' } as const;
const NO_DEVICE = 'serial:/dev/fieldline-no-such-port';
const VARS = { site: 'FRA-7', interval: '60' };

let station: TestApp;
let server: StationServer;
let staticDir: string;
let profilePath: string;
const bridges: WebBridge[] = [];

async function signedIn(operator: { name: string; secret: string }): Promise<FieldlineApi> {
  const bridge = createWebBridge({
    url: `ws://127.0.0.1:${server.port}/api`,
    openSocket: (url) => new WebSocket(url, { origin: `http://127.0.0.1:${server.port}` }) as unknown as SocketLike,
    retryMs: { first: 50, max: 200 },
  });
  bridges.push(bridge);
  expect(await bridge.api.invoke['session:sign-in']({ name: operator.name, secret: operator.secret })).toMatchObject({ ok: true });
  return bridge.api;
}

beforeAll(async () => {
  station = await createTestApp({ pollMs: 0 });
  // Listed before the station is claimed: from then on only a signed-in operator may list.
  const example = (await station.app.handlers['profiles:list']()).find((p) => p.fileName === 'gateway-eu.yaml');
  if (!example) throw new Error('the example gateway-eu.yaml is not offered');
  profilePath = example.path;
  await seedOperators(station.dataDir, [ADMIN, SUPERVISOR, TECH]);
  await followChannel(station.dataDir, 'pilot');
  staticDir = await mkdtemp(join(tmpdir(), 'fieldline-static-'));
  await writeFile(join(staticDir, 'index.html'), '<!doctype html><title>Fieldline</title>');
  server = await startStationServer({ app: station.app, port: 0, staticDir });
}, 60_000);

afterEach(() => {
  for (const bridge of bridges.splice(0)) bridge.close();
});

afterAll(async () => {
  await server?.close();
  await station?.close();
  if (staticDir) await rm(staticDir, { recursive: true, force: true });
});

describe('a station that follows a release channel, over the WebSocket', () => {
  it('refuses an unreleased profile to everyone who does not ask to override', async () => {
    for (const operator of [TECH, SUPERVISOR]) {
      const api = await signedIn(operator);
      expect(await api.invoke['provision:start']({ deviceId: NO_DEVICE, profilePath, variables: VARS })).toMatchObject({ ok: false, error: { code: 'PROFILE_UNRELEASED' } });
      expect(await api.invoke['line:start']({ profilePath, variables: VARS })).toMatchObject({ ok: false, error: { code: 'PROFILE_UNRELEASED' } });
    }
  });

  it("refuses a technician's allowUnreleased as an override, on every call that starts work", async () => {
    const api = await signedIn(TECH);
    const calls = [
      api.invoke['provision:start']({ deviceId: NO_DEVICE, profilePath, variables: VARS, allowUnreleased: true }),
      api.invoke['line:start']({ profilePath, variables: VARS, allowUnreleased: true }),
      api.invoke['drift:fix']({ deviceId: NO_DEVICE, profilePath, allowUnreleased: true }),
      api.invoke['replace:start']({ oldSerial: 'GW-OLD', deviceId: NO_DEVICE, profilePath, allowUnreleased: true }),
    ];
    for (const answer of await Promise.all(calls)) {
      expect(answer).toMatchObject({ ok: false, error: { code: 'PERMISSION_DENIED' } });
      expect(!answer.ok && answer.error.message).toMatch(/supervisor/);
    }
  });

  it('lets a technician run a pulled release, which has no .sig beside it, without an override', async () => {
    const bytes = Buffer.from(`${(await readFile(profilePath, 'utf8'))}# pilot build\n`);
    const manifest = await holdRelease(station.dataDir, { kind: 'profile', name: 'gateway-eu', version: '1.0.1', channel: 'pilot', bytes });
    const api = await signedIn(TECH);
    const listed = await api.invoke['profiles:list']();
    const pulled = listed.ok ? listed.value.find((p) => p.source === 'release') : undefined;
    expect(pulled).toMatchObject({ path: artifactPath(station.dataDir, manifest), signature: 'unsigned', release: { state: 'released', channel: 'pilot', version: '1.0.1' } });
    expect(await api.invoke['provision:start']({ deviceId: NO_DEVICE, profilePath: pulled!.path, variables: VARS })).toMatchObject({ ok: false, error: { code: 'DEVICE_NOT_FOUND' } });
  });

  it("lets a supervisor's allowUnreleased past the gate, audited under their name", async () => {
    const api = await signedIn(SUPERVISOR);
    expect(await api.invoke['provision:start']({ deviceId: NO_DEVICE, profilePath, variables: VARS, allowUnreleased: true })).toMatchObject({ ok: false, error: { code: 'DEVICE_NOT_FOUND' } });
    expect(await api.invoke['line:start']({ profilePath, variables: VARS, allowUnreleased: true })).toMatchObject({ ok: true, value: { running: true } });
    expect(await api.invoke['line:stop']()).toMatchObject({ ok: true });
    const entries = (await withStoreOf(station.dataDir, (store) => selectEntries(store.db, 200))).filter((e) => e.action === 'profile.unreleased');
    expect(entries).toEqual([expect.objectContaining({ actor: 'operator:sue', subject: profilePath, details: expect.objectContaining({ channel: 'pilot', command: 'line:start' }) })]);
  });
});
