/**
 * Operators over the station's WebSocket (issue #14): on a claimed station each connection signs in as one operator
 * and every call it makes meets the core's permission check for that operator — a technician's direct call to change
 * the registry is refused with PERMISSION_DENIED naming the admin role, an admin's succeeds; nothing but the session
 * methods and the version answers before a sign-in; what an operator does is audited under their name; wrong secrets
 * count toward the core's lockout; the idle lock ends the operator's session on the server, on a clock the test moves.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { FieldlineApi, SessionState } from '../contract/api';
import { createWebBridge, type SocketLike, type WebBridge } from '../../renderer/src/bridge/web';
import type { SetTimer } from '../app/operator-session';
import { selectEntries } from '../store/audit';
import { createTestApp, type TestApp } from '../testing/app';
import { withStoreOf } from '../testing/core-store';
import { seedOperators } from '../testing/operators';
import { startTestRegistry } from '../testing/registry';
import { startStationServer, type StationServer } from './station-server';

const ADMIN = { name: 'ada', role: 'admin', secret: 'admin-passphrase' } as const;
const TECH = { name: 'tom', role: 'technician', secret: '4711' } as const;
const MINUTE = 60_000;

/** The sessions' clock and timers, moved by the test. */
let now = 0;
let timers: Array<{ at: number; fire: () => void; cancelled: boolean }> = [];
const setTimer: SetTimer = (ms, fire) => {
  const timer = { at: now + ms, fire, cancelled: false };
  timers.push(timer);
  return () => void (timer.cancelled = true);
};
function advance(ms: number): void {
  now += ms;
  const due = timers.filter((t) => !t.cancelled && t.at <= now);
  timers = timers.filter((t) => !t.cancelled && t.at > now);
  for (const timer of due) timer.fire();
}

let station: TestApp;
let server: StationServer;
let staticDir: string;
const bridges: WebBridge[] = [];

function connect(to: StationServer = server, credential: { token: string } | { session: string } | object = {}, onSession?: (session: string) => void): FieldlineApi {
  const bridge = createWebBridge({
    url: `ws://127.0.0.1:${to.port}/api`,
    openSocket: (url) => new WebSocket(url, { origin: `http://127.0.0.1:${to.port}` }) as unknown as SocketLike,
    retryMs: { first: 50, max: 200 },
    ...credential,
    ...(onSession ? { onSession } : {}),
  });
  bridges.push(bridge);
  return bridge.api;
}

function nextSessionChange(api: FieldlineApi): Promise<SessionState> {
  return new Promise((resolve) => {
    const off = api.on['session:changed']((state) => {
      off();
      resolve(state);
    });
  });
}

beforeAll(async () => {
  station = await createTestApp({ sessions: { now: () => now, setTimer } });
  await seedOperators(station.dataDir, [ADMIN, TECH]);
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

describe('a claimed station over the WebSocket', () => {
  it('answers nothing but the session and the version until someone signs in', async () => {
    const api = connect();
    const session = await api.invoke['session:get']();
    expect(session).toMatchObject({ ok: true, value: { claimed: true, idleLockMs: 15 * MINUTE } });
    expect(session.ok && session.value).not.toHaveProperty('operator');
    expect(await api.invoke['app:version']()).toMatchObject({ ok: true });
    expect(await api.invoke['settings:get']()).toMatchObject({ ok: false, error: { code: 'OPERATOR_SIGN_IN_REQUIRED' } });
    expect(await api.invoke['devices:list']()).toMatchObject({ ok: false, error: { code: 'OPERATOR_SIGN_IN_REQUIRED' } });
  });

  it("refuses a technician's direct call to change the registry or station settings, naming the admin role", async () => {
    const api = connect();
    const signedIn = await api.invoke['session:sign-in']({ name: TECH.name, secret: TECH.secret });
    expect(signedIn).toMatchObject({ ok: true, value: { claimed: true, operator: { name: 'tom', role: 'technician' } } });
    expect(signedIn.ok && signedIn.value.operator?.permissions).not.toContain('registry.settings');

    expect(await api.invoke['settings:get']()).toMatchObject({ ok: true });
    const registry = await api.invoke['settings:set-registry']({ url: 'http://127.0.0.1:9/', token: 'stolen-token' });
    expect(registry).toMatchObject({ ok: false, error: { code: 'PERMISSION_DENIED' } });
    expect(!registry.ok && registry.error.message).toMatch(/admin/);
    expect(await api.invoke['settings:set-idle-lock']({ minutes: 240 })).toMatchObject({ ok: false, error: { code: 'PERMISSION_DENIED' } });
    expect(await api.invoke['profiles:import']({ fileName: 'p.yml', content: 'apiVersion: fieldline/v1\n' })).toMatchObject({ ok: false, error: { code: 'PERMISSION_DENIED' } });
    // Nothing changed behind the refusal.
    const after = await api.invoke['settings:get']();
    expect(after).toMatchObject({ ok: true, value: { tokenSet: false, idleLockMinutes: 15 } });
    expect(after.ok && after.value).not.toHaveProperty('registryUrl');
  });

  it("lets an admin's connection do it, while another connection stays a technician's", async () => {
    const tech = connect();
    const admin = connect();
    await tech.invoke['session:sign-in']({ name: TECH.name, secret: TECH.secret });
    expect(await admin.invoke['session:sign-in']({ name: 'ADA', secret: ADMIN.secret })).toMatchObject({ ok: true, value: { operator: { name: 'ada', role: 'admin' } } });
    expect(await admin.invoke['settings:set-idle-lock']({ minutes: 20 })).toMatchObject({ ok: true, value: { idleLockMinutes: 20 } });
    expect(await tech.invoke['settings:set-idle-lock']({ minutes: 15 })).toMatchObject({ ok: false, error: { code: 'PERMISSION_DENIED' } });
    expect(await admin.invoke['settings:set-idle-lock']({ minutes: 15 })).toMatchObject({ ok: true, value: { idleLockMinutes: 15 } });
  });

  it("audits an admin's settings changes under their name, never with the token", async () => {
    const admin = connect();
    await admin.invoke['session:sign-in']({ name: ADMIN.name, secret: ADMIN.secret });
    // A registry that answers and knows the token: Settings tries one before saving it.
    const registry = await startTestRegistry();
    const { url: registryUrl, token } = registry;
    try {
      expect(await admin.invoke['settings:set-registry']({ url: `${registryUrl}/`, token })).toMatchObject({ ok: true });
    } finally {
      await registry.close();
    }
    expect(await admin.invoke['settings:set-idle-lock']({ minutes: 30 })).toMatchObject({ ok: true });
    expect(await admin.invoke['settings:set-idle-lock']({ minutes: 15 })).toMatchObject({ ok: true });
    const entries = await withStoreOf(station.dataDir, (store) => selectEntries(store.db, 50));
    const changes = entries.filter((e) => e.action.startsWith('settings.')).slice(-3);
    expect(changes.map((e) => [e.action, e.actor, e.subject])).toEqual([
      ['settings.registry', 'operator:ada', `${registryUrl}/`],
      ['settings.idle-lock', 'operator:ada', '30 min'],
      ['settings.idle-lock', 'operator:ada', '15 min'],
    ]);
    expect(JSON.stringify(entries)).not.toContain(token);
  });

  it("names the signed-in operator in the audit entries of what they do, not the station's free-text name", async () => {
    const api = connect();
    await api.invoke['session:sign-in']({ name: TECH.name, secret: TECH.secret });
    const profiles = await api.invoke['profiles:list']();
    const profile = profiles.ok ? profiles.value.find((p) => p.source === 'example' && p.problems === 0) : undefined;
    expect(profile).toBeDefined();
    const started = await api.invoke['line:start']({ profilePath: profile!.path, variables: { site: 'LAB-1' }, requireScan: true });
    expect(started).toMatchObject({ ok: true, value: { running: true } });
    expect(await api.invoke['line:stop']()).toMatchObject({ ok: true, value: { running: false } });
    const entries = await withStoreOf(station.dataDir, (store) => selectEntries(store.db, 50));
    const line = entries.filter((e) => e.action === 'line.start' || e.action === 'line.stop');
    expect(line.map((e) => [e.action, e.actor])).toEqual([
      ['line.start', 'operator:tom'],
      ['line.stop', 'operator:tom'],
    ]);
  });

  it('lets a technician run only released profiles: one no trusted publisher signed needs a supervisor', async () => {
    const admin = connect();
    const tech = connect();
    await admin.invoke['session:sign-in']({ name: ADMIN.name, secret: ADMIN.secret });
    await tech.invoke['session:sign-in']({ name: TECH.name, secret: TECH.secret });
    const profiles = await admin.invoke['profiles:list']();
    const example = profiles.ok ? profiles.value.find((p) => p.source === 'example' && p.problems === 0) : undefined;
    const text = await admin.invoke['profiles:get']({ path: example!.path });
    const imported = await admin.invoke['profiles:import']({ fileName: 'unsigned.yaml', content: text.ok ? text.value.text : '' });
    expect(imported).toMatchObject({ ok: true, value: { source: 'data', signature: 'unsigned' } });

    const refused = await tech.invoke['line:start']({ profilePath: imported.ok ? imported.value.path : '', variables: { site: 'LAB-1' }, requireScan: true });
    expect(refused).toMatchObject({ ok: false, error: { code: 'PERMISSION_DENIED' } });
    expect(!refused.ok && refused.error.message).toMatch(/no trusted publisher signed.*supervisor/);
    expect(await tech.invoke['provision:start']({ deviceId: 'serial:/dev/nonexistent', profilePath: imported.ok ? imported.value.path : '', variables: {} })).toMatchObject({
      ok: false,
      error: { code: 'PERMISSION_DENIED' },
    });
    // Rework needs a supervisor whatever the profile.
    expect(await tech.invoke['provision:start']({ deviceId: 'serial:/dev/nonexistent', profilePath: example!.path, variables: {}, reprovision: true })).toMatchObject({
      ok: false,
      error: { code: 'PERMISSION_DENIED' },
    });
    // The example is released: the technician's call reaches the run manager (which finds no such device).
    expect(await tech.invoke['provision:start']({ deviceId: 'serial:/dev/nonexistent', profilePath: example!.path, variables: {} })).toMatchObject({
      ok: false,
      error: { code: 'DEVICE_NOT_FOUND' },
    });
  });

  it('signs out: the connection is refused again', async () => {
    const api = connect();
    await api.invoke['session:sign-in']({ name: TECH.name, secret: TECH.secret });
    expect(await api.invoke['session:sign-out']()).toMatchObject({ ok: true, value: { claimed: true } });
    expect(await api.invoke['settings:get']()).toMatchObject({ ok: false, error: { code: 'OPERATOR_SIGN_IN_REQUIRED' } });
  });

  it('ends the operator on the server after the idle time, and tells that connection alone', async () => {
    const stale = connect();
    const other = connect();
    await stale.invoke['session:sign-in']({ name: TECH.name, secret: TECH.secret });
    await other.invoke['session:sign-in']({ name: TECH.name, secret: TECH.secret });
    const otherEvents: SessionState[] = [];
    other.on['session:changed']((state) => otherEvents.push(state));

    advance(10 * MINUTE);
    expect(await other.invoke['session:touch']()).toMatchObject({ ok: true, value: { operator: { name: 'tom' } } });
    const locked = nextSessionChange(stale);
    advance(5 * MINUTE);
    expect(await locked).toMatchObject({ claimed: true, ended: 'idle' });
    expect(await locked).not.toHaveProperty('operator');
    expect(await stale.invoke['settings:get']()).toMatchObject({ ok: false, error: { code: 'OPERATOR_SIGN_IN_REQUIRED' } });
    // Touched five minutes ago: still in.
    expect(await other.invoke['settings:get']()).toMatchObject({ ok: true });
    expect(otherEvents).toEqual([]);
  });

  it('refuses a call made after the idle time even when the timer has not fired yet', async () => {
    const api = connect();
    await api.invoke['session:sign-in']({ name: TECH.name, secret: TECH.secret });
    now += 15 * MINUTE; // the clock moves, the timer does not fire (a suspended laptop, a busy loop)
    expect(await api.invoke['settings:get']()).toMatchObject({ ok: false, error: { code: 'OPERATOR_SIGN_IN_REQUIRED' } });
    expect(await api.invoke['session:get']()).toMatchObject({ ok: true, value: { ended: 'idle' } });
  });

  it("counts wrong secrets toward the core's lockout, which then refuses even the right one", async () => {
    const api = connect();
    for (let i = 0; i < 5; i += 1) {
      expect(await api.invoke['session:sign-in']({ name: ADMIN.name, secret: `wrong-${i}` })).toMatchObject({ ok: false, error: { code: 'OPERATOR_SIGN_IN_FAILED' } });
    }
    expect(await api.invoke['session:sign-in']({ name: ADMIN.name, secret: ADMIN.secret })).toMatchObject({ ok: false, error: { code: 'OPERATOR_LOCKED' } });
    expect(await api.invoke['settings:get']()).toMatchObject({ ok: false, error: { code: 'OPERATOR_SIGN_IN_REQUIRED' } });
  });
});

describe('a claimed station with a token', () => {
  const TOKEN = 'station-token-for-operators-0123';
  let tokenServer: StationServer;
  beforeAll(async () => {
    tokenServer = await startStationServer({ app: station.app, port: 0, staticDir, token: TOKEN });
  });
  afterAll(async () => {
    await tokenServer?.close();
  });

  it("keeps a tab's operator across a reconnect with its station session, and only for that session", async () => {
    let stationSession = '';
    const first = connect(tokenServer, { token: TOKEN }, (s) => (stationSession = s));
    expect(await first.invoke['session:sign-in']({ name: TECH.name, secret: TECH.secret })).toMatchObject({ ok: true });
    for (const bridge of bridges.splice(0)) bridge.close();

    // The same tab reconnecting (or reloaded): still signed in, and the idle lock kept counting meanwhile.
    const again = connect(tokenServer, { session: stationSession });
    expect(await again.invoke['session:get']()).toMatchObject({ ok: true, value: { operator: { name: 'tom' } } });
    expect(await again.invoke['settings:get']()).toMatchObject({ ok: true });
    // Another tab with the token: a station session of its own, nobody signed in.
    const other = connect(tokenServer, { token: TOKEN });
    expect(await other.invoke['settings:get']()).toMatchObject({ ok: false, error: { code: 'OPERATOR_SIGN_IN_REQUIRED' } });

    const locked = nextSessionChange(again);
    advance(15 * MINUTE);
    expect(await locked).toMatchObject({ ended: 'idle' });
    expect(await again.invoke['settings:get']()).toMatchObject({ ok: false, error: { code: 'OPERATOR_SIGN_IN_REQUIRED' } });
  });
});
