/**
 * The station server end to end: a real app over a temporary data directory, a virtual gateway in its own process,
 * and the renderer's own web bridge over a real `ws` client — every contract method dispatched through the
 * WebSocket, a gateway provisioned through the contract, and the doors that must stay shut (foreign origins and
 * hosts, a token-less non-loopback bind, paths out of the static folder, oversized and malformed messages).
 */
import { request } from 'node:http';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { methodNames, type EventName, type EventPayload, type FieldlineApi, type MethodName } from '../contract/api';
import { createWebBridge, type SocketLike, type WebBridge } from '../../renderer/src/bridge/web';
import { createTestApp, TEST_PASSPHRASE, type TestApp } from '../testing/app';
import { spawnSimulator, type SpawnedSimulator } from '../testing/sim-process';
import { startStationServer, type StationServer } from './station-server';

let sim: SpawnedSimulator;
let station: TestApp;
let server: StationServer;
let staticDir: string;
let bridge: WebBridge;
let api: FieldlineApi;
const origin = (): string => `http://127.0.0.1:${server.port}`;
const wsUrl = (): string => `ws://127.0.0.1:${server.port}/api`;

const INDEX_HTML = `<!doctype html><html><head><meta http-equiv="Content-Security-Policy" content="default-src 'self'; script-src 'self'; connect-src 'self'; object-src 'none'" /><title>Fieldline</title></head><body><script type="module" src="/assets/index-abc.js"></script></body></html>`;

function connect(token?: string, from = origin()): WebBridge {
  return createWebBridge({
    url: wsUrl(),
    openSocket: (url) => new WebSocket(url, { origin: from }) as unknown as SocketLike,
    retryMs: { first: 50, max: 200 },
    ...(token !== undefined ? { token } : {}),
  });
}

/** The first event `name` whose payload passes `match`, or a rejection after `ms`. */
function nextEvent<E extends EventName>(on: FieldlineApi['on'], name: E, match: (p: EventPayload<E>) => boolean = () => true, ms = 60_000): Promise<EventPayload<E>> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      stop();
      reject(new Error(`no ${name} event within ${ms} ms`));
    }, ms);
    const stop = on[name]((payload) => {
      if (!match(payload)) return;
      clearTimeout(timer);
      stop();
      resolve(payload);
    });
  });
}

interface HttpAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A raw request: the path is sent exactly as given (no URL normalization), with any Host header. */
function get(path: string, headers: Record<string, string> = {}): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: server.port, path, method: 'GET', headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Opens a raw `ws` socket; resolves with how the server answered the upgrade, or the close code. */
function rawSocket(url: string, options: { origin?: string; headers?: Record<string, string> } = {}): Promise<{ status?: number; socket?: WebSocket }> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, { ...(options.origin ? { origin: options.origin } : {}), ...(options.headers ? { headers: options.headers } : {}) });
    ws.on('unexpected-response', (_req, res) => {
      resolve({ status: res.statusCode });
      ws.terminate();
    });
    ws.on('open', () => resolve({ socket: ws }));
    ws.on('error', () => resolve({}));
  });
}

function closeCode(ws: WebSocket): Promise<number> {
  return new Promise((resolve) => ws.on('close', (code) => resolve(code)));
}

beforeAll(async () => {
  sim = await spawnSimulator({ count: 1, baud: 0, extra: ['--delay', 'reboot=100', '--delay', 'keyGeneration=0', '--delay', 'erase=0', '--delay', 'flashWritePerKiB=0'] });
  station = await createTestApp({ extraPorts: [sim.gateways[0]!.port] });
  staticDir = await mkdtemp(join(tmpdir(), 'fieldline-static-'));
  await mkdir(join(staticDir, 'assets'));
  await writeFile(join(staticDir, 'index.html'), INDEX_HTML);
  await writeFile(join(staticDir, 'assets', 'index-abc.js'), 'console.log("fieldline");\n');
  await writeFile(join(staticDir, '..', 'fieldline-outside-secret.txt'), 'secret\n').catch(() => {});
  await symlink('/etc/hostname', join(staticDir, 'escape.txt')).catch(() => {});
  server = await startStationServer({ app: station.app, port: 0, staticDir });
  bridge = connect();
  api = bridge.api;
}, 60_000);

afterAll(async () => {
  bridge?.close();
  await server?.close();
  await station?.close();
  await sim?.stop();
  if (staticDir) await rm(staticDir, { recursive: true, force: true });
});

describe('the contract over the WebSocket', () => {
  it('provisions a virtual gateway: provision:start → run:step events → run:finished passed', async () => {
    const deviceId = `serial:${sim.gateways[0]!.port}`;
    const devices = await api.invoke['devices:list']();
    expect(devices.ok && devices.value.map((d) => d.id)).toContain(deviceId);
    const profiles = await api.invoke['profiles:list']();
    if (!profiles.ok) throw new Error(profiles.error.message);
    const profile = profiles.value.find((p) => p.fileName === 'gateway-eu.yaml');
    expect(profile).toMatchObject({ source: 'example', name: 'gateway-eu', problems: 0, signature: 'unsigned' });

    const steps: Array<EventPayload<'run:step'>> = [];
    const stopSteps = api.on['run:step']((s) => steps.push(s));
    const started = nextEvent(api.on, 'run:started');
    const finished = nextEvent(api.on, 'run:finished');
    const start = await api.invoke['provision:start']({ deviceId, profilePath: profile!.path, variables: { site: 'MUC-3' } });
    if (!start.ok) throw new Error(`${start.error.code}: ${start.error.message}`);
    expect((await started).runId).toBe(start.value.runId);
    const again = await api.invoke['provision:start']({ deviceId, profilePath: profile!.path, variables: {} });
    expect(again).toMatchObject({ ok: false, error: { code: 'DEVICE_BUSY' } });

    const end = await finished;
    stopSteps();
    expect(end, JSON.stringify(station.logs.slice(-20))).toMatchObject({ runId: start.value.runId, deviceId, outcome: 'passed' });
    expect(steps.filter((s) => s.state === 'running').map((s) => s.step)).toEqual(['identify', 'firmware', 'identity', 'configuration', 'diagnostics', 'finalize']);
    expect(steps.filter((s) => s.state !== 'running').every((s) => s.state === 'passed' && s.endedAt)).toBe(true);

    const record = await api.invoke['runs:get']({ runId: start.value.runId });
    expect(record).toMatchObject({ ok: true, value: { id: start.value.runId, outcome: 'passed', variables: { site: 'MUC-3' } } });
    const listed = await api.invoke['runs:list']();
    expect(listed.ok && listed.value[0]?.id).toBe(start.value.runId);
    const device = (await api.invoke['devices:list']()).ok ? ((await api.invoke['devices:list']()) as { value: Array<{ id: string; state: string; lastRunId?: string }> }).value.find((d) => d.id === deviceId) : undefined;
    expect(device).toMatchObject({ state: 'passed', lastRunId: start.value.runId });

    const drift = await api.invoke['drift:check']({ deviceId, profilePath: profile!.path });
    expect(drift).toMatchObject({ ok: true, value: { differences: [] } });
    const queue = await api.invoke['queue:status']();
    expect(queue).toMatchObject({ ok: true, value: { pending: 1, registryConfigured: false, online: false } });
  }, 120_000);

  it('answers every contract method through the WebSocket with a Result, none of them a bug', async () => {
    const runId = ((await api.invoke['runs:list']()) as { ok: true; value: Array<{ id: string }> }).value[0]?.id ?? '00000000-0000-4000-8000-000000000000';
    const deviceId = `serial:${sim.gateways[0]!.port}`;
    const profilePath = ((await api.invoke['profiles:list']()) as { ok: true; value: Array<{ path: string }> }).value[0]!.path;
    // One valid call per method; the comment names the expected failure where success is not possible here.
    const calls: { [N in MethodName]: () => Promise<{ ok: boolean; error?: { code: string } }> } = {
      'app:version': () => api.invoke['app:version'](),
      'ports:list': () => api.invoke['ports:list'](), // UDEV_MISSING where udevadm is absent
      'devices:list': () => api.invoke['devices:list'](),
      'devices:add-port': () => api.invoke['devices:add-port']({ path: sim.gateways[0]!.port }),
      'devices:scan-ble': () => api.invoke['devices:scan-ble']({ durationMs: 500 }), // BLE_NO_ADAPTER (or another BLE_*) without Bluetooth
      'provision:start': () => api.invoke['provision:start']({ deviceId: 'serial:/dev/nonexistent', profilePath, variables: {} }), // DEVICE_NOT_FOUND
      'provision:cancel': () => api.invoke['provision:cancel']({ runId }),
      'runs:get': () => api.invoke['runs:get']({ runId }),
      'runs:certificate': () => api.invoke['runs:certificate']({ runId }),
      'runs:log': () => api.invoke['runs:log']({ runId }),
      'runs:list': () => api.invoke['runs:list']({ limit: 5 }),
      'profiles:list': () => api.invoke['profiles:list'](),
      'profiles:get': () => api.invoke['profiles:get']({ path: profilePath }),
      'profiles:import': () => api.invoke['profiles:import']({ fileName: '../../etc/my profile.yml', content: 'apiVersion: fieldline/v1\nname: broken\n' }),
      'queue:status': () => api.invoke['queue:status'](),
      'queue:list': () => api.invoke['queue:list']({ limit: 10 }),
      'queue:sync-now': () => api.invoke['queue:sync-now'](), // REGISTRY_NOT_CONFIGURED
      'queue:export-bundle': () => api.invoke['queue:export-bundle'](),
      'drift:check': () => api.invoke['drift:check']({ deviceId, profilePath }),
      'drift:fix': () => api.invoke['drift:fix']({ deviceId, profilePath }),
      'replace:start': () => api.invoke['replace:start']({ oldSerial: 'NO-SUCH-UNIT', deviceId: 'serial:/dev/nonexistent', profilePath }), // DEVICE_NOT_FOUND
      'console:info': () => api.invoke['console:info']({ deviceId }),
      'service:inspect': () => api.invoke['service:inspect']({ deviceId }),
      'service:diagnose': () => api.invoke['service:diagnose']({ deviceId }),
      'service:remediate': () => api.invoke['service:remediate']({ deviceId: 'serial:/dev/nonexistent' }), // DEVICE_NOT_FOUND
      'service:update': () => api.invoke['service:update']({ deviceId: 'serial:/dev/nonexistent' }), // DEVICE_NOT_FOUND
      'service:renew': () => api.invoke['service:renew']({ deviceId: 'serial:/dev/nonexistent' }), // DEVICE_NOT_FOUND
      'console:images': () => api.invoke['console:images']({ deviceId }),
      'console:image': () => api.invoke['console:image']({ deviceId, action: 'confirm' }),
      'console:fs-list': () => api.invoke['console:fs-list']({ deviceId, path: '/lfs' }),
      'console:fs-download': () => api.invoke['console:fs-download']({ deviceId, path: '/lfs/nowhere' }), // FILE_NOT_FOUND on the device
      'console:fs-upload': () => api.invoke['console:fs-upload']({ deviceId, path: '/lfs/console.txt', base64: 'aGk=' }),
      'console:fs-hash': () => api.invoke['console:fs-hash']({ deviceId, path: '/lfs/console.txt' }),
      'console:settings-names': () => api.invoke['console:settings-names']({ deviceId }),
      'console:settings-get': () => api.invoke['console:settings-get']({ deviceId, name: 'fieldline/site', as: 'text' }),
      'console:settings-set': () => api.invoke['console:settings-set']({ deviceId, name: 'console/probe', value: '1', as: 'u8' }),
      'console:settings-delete': () => api.invoke['console:settings-delete']({ deviceId, name: 'console/probe' }),
      'console:settings-save': () => api.invoke['console:settings-save']({ deviceId }),
      'console:shell': () => api.invoke['console:shell']({ deviceId, command: 'fs ls /lfs' }),
      'console:stats': () => api.invoke['console:stats']({ deviceId }),
      'station:status': () => api.invoke['station:status'](),
      'doctor:run': () => api.invoke['doctor:run'](),
      'settings:get': () => api.invoke['settings:get'](),
      'settings:set-registry': () => api.invoke['settings:set-registry']({ url: 'http://127.0.0.1:9/', token: 'secret-token' }), // REGISTRY_UNREACHABLE: tested before it is saved
      'settings:set-operator': () => api.invoke['settings:set-operator']({ name: 'Ada' }),
      'settings:unlock-ca': () => api.invoke['settings:unlock-ca']({ passphrase: TEST_PASSPHRASE }),
      'settings:set-printer': () => api.invoke['settings:set-printer']({ printer: '' }),
      'settings:set-ble-adapter': () => api.invoke['settings:set-ble-adapter']({ adapter: 'default' }),
      'line:state': () => api.invoke['line:state'](),
      'line:start': () => api.invoke['line:start']({ profilePath: '/nowhere/line.yaml', variables: {} }), // PROFILE_NOT_FOUND
      'line:stop': () => api.invoke['line:stop'](),
      'line:scan': () => api.invoke['line:scan']({ text: 'F1E1D00000000001' }), // LINE_NOT_RUNNING
      'runs:print-label': () => api.invoke['runs:print-label']({ runId }), // a file in the data directory: no printer set
      'settings:set-idle-lock': () => api.invoke['settings:set-idle-lock']({ minutes: 30 }),
      'settings:set-fixture-labels': () => api.invoke['settings:set-fixture-labels']({ labels: { '1-1.4': 'A1' } }),
      'settings:set-operator-sound': () => api.invoke['settings:set-operator-sound']({ on: true }),
      'line:slot-stop': () => api.invoke['line:slot-stop']({ port: '/dev/ttyACM9' }), // LINE_NOT_RUNNING
      'line:slot-start': () => api.invoke['line:slot-start']({ port: '/dev/ttyACM9' }), // LINE_NOT_RUNNING
      'session:get': () => api.invoke['session:get'](),
      'session:sign-in': () => api.invoke['session:sign-in']({ name: 'nobody', secret: 'wrong-secret' }), // OPERATOR_SIGN_IN_FAILED: no operators
      'session:sign-out': () => api.invoke['session:sign-out'](),
      'session:touch': () => api.invoke['session:touch'](),
    };
    expect(Object.keys(calls).sort()).toEqual([...methodNames].sort());
    const answers: Record<string, unknown> = {};
    for (const name of methodNames) answers[name] = await calls[name]();
    for (const [name, answer] of Object.entries(answers)) {
      expect(answer, name).toHaveProperty('ok');
      expect((answer as { error?: { code: string } }).error?.code, `${name}: ${JSON.stringify(answer)}`).not.toBe('INTERNAL');
    }
    expect(answers['provision:start']).toMatchObject({ ok: false, error: { code: 'DEVICE_NOT_FOUND' } });
    expect(answers['replace:start']).toMatchObject({ ok: false, error: { code: 'DEVICE_NOT_FOUND' } });
    expect(answers['queue:sync-now']).toMatchObject({ ok: false, error: { code: 'REGISTRY_NOT_CONFIGURED' } });
    expect(answers['service:inspect']).toMatchObject({ ok: true, value: { deviceId, basis: { source: 'store', profile: { name: 'gateway-eu' } }, drift: { provisioned: { differences: [] } } } });
    expect(answers['service:diagnose']).toMatchObject({ ok: true, value: { action: 'diagnose', outcome: 'passed', record: { service: { action: 'diagnose' } } } });
    for (const name of ['service:remediate', 'service:update', 'service:renew'] as const) expect(answers[name]).toMatchObject({ ok: false, error: { code: 'DEVICE_NOT_FOUND' } });
    expect(answers['profiles:import']).toMatchObject({ ok: true, value: { fileName: 'my-profile.yml', source: 'data' } });
    expect((answers['profiles:import'] as { value: { problems: number } }).value.problems).toBeGreaterThan(0);
    expect(answers['queue:export-bundle']).toMatchObject({ ok: true, value: { count: 1, remaining: 0 } });
    // The run passed: its certificate (if its profile issues one) is not revoked.
    expect(answers['runs:certificate']).toMatchObject({ ok: true, value: { state: expect.stringMatching(/^(in-service|none)$/) } });
    // The doctor answers every check through the WebSocket (what each finds depends on this machine).
    expect(answers['doctor:run']).toMatchObject({ ok: true, value: { checks: expect.arrayContaining([expect.objectContaining({ id: 'data.writable', status: 'pass' })]) } });
    // The one finished run, listed by name while it waits for the registry (listed before the bundle took it).
    expect(answers['queue:list']).toMatchObject({ ok: true, value: { total: 1, entries: [{ runId, state: 'pending', attempts: 0, serial: expect.any(String) }] } });
    // Nothing answers at that URL: said, and nothing saved. The token is never sent back, not even in the error.
    expect(answers['settings:set-registry']).toMatchObject({ ok: false, error: { code: 'REGISTRY_UNREACHABLE', message: expect.stringContaining('nothing was saved') } });
    const settingsAfter = await api.invoke['settings:get']();
    expect(settingsAfter.ok && settingsAfter.value.registryUrl).not.toBe('http://127.0.0.1:9');
    expect(JSON.stringify(answers['settings:set-registry'])).not.toContain('secret-token');
    expect(answers['settings:set-operator']).toMatchObject({ ok: true, value: { operator: 'Ada' } });
    expect(answers['settings:unlock-ca']).toMatchObject({ ok: true, value: { ca: { initialized: true, ready: true } } });
    expect(answers['station:status']).toMatchObject({ ok: true, value: { activeRuns: 0, caReady: true } });
    expect(answers['line:start']).toMatchObject({ ok: false, error: { code: 'PROFILE_NOT_FOUND' } });
    expect(answers['line:scan']).toMatchObject({ ok: false, error: { code: 'LINE_NOT_RUNNING' } });
    expect(answers['line:state']).toMatchObject({ ok: true, value: { running: false, slots: [], kpis: { session: { units: 0 } } } });
    expect(answers['runs:print-label']).toMatchObject({ ok: true, value: { runId, target: expect.stringMatching(/^file:.*\.zpl$/) } });
    expect(answers['settings:set-idle-lock']).toMatchObject({ ok: true, value: { idleLockMinutes: 30 } });
    expect(answers['settings:set-fixture-labels']).toMatchObject({ ok: true, value: { fixtureLabels: { '1-1.4': 'A1' } } });
    expect(answers['settings:set-operator-sound']).toMatchObject({ ok: true, value: { operatorSound: true } });
    expect(answers['line:slot-start']).toMatchObject({ ok: false, error: { code: 'LINE_NOT_RUNNING' } });
    // A station without operators: nobody signs in, and every call above answered without one.
    expect(answers['session:get']).toMatchObject({ ok: true, value: { claimed: false, idleLockMs: 30 * 60_000 } });
    expect(answers['session:sign-in']).toMatchObject({ ok: false, error: { code: 'OPERATOR_SIGN_IN_FAILED' } });
  }, 60_000);

  it('refuses unknown methods and arguments outside the contract', async () => {
    const ws = (await rawSocket(wsUrl(), { origin: origin() })).socket!;
    const replies: unknown[] = [];
    const isResult = (m: unknown): boolean => (m as { type: string }).type === 'result';
    // Each call is answered; the test waits for the three answers, not for a time.
    const answered = new Promise<void>((resolve) =>
      ws.on('message', (data) => {
        replies.push(JSON.parse(data.toString()));
        if (replies.filter(isResult).length === 3) resolve();
      }),
    );
    ws.send(JSON.stringify({ type: 'call', id: 1, method: 'fs:delete', args: ['/'] }));
    ws.send(JSON.stringify({ type: 'call', id: 2, method: 'devices:add-port', args: [{ path: '/dev/tty0', extra: 1 }] }));
    ws.send(JSON.stringify({ type: 'call', id: 3, method: 'settings:set-operator', args: [{ name: 'x'.repeat(201) }] }));
    await answered;
    const results = replies.filter(isResult);
    expect(results).toEqual([
      { type: 'result', id: 1, result: { ok: false, error: expect.objectContaining({ code: 'INVALID_ARGUMENT' }) } },
      { type: 'result', id: 2, result: { ok: false, error: expect.objectContaining({ code: 'INVALID_ARGUMENT' }) } },
      { type: 'result', id: 3, result: { ok: false, error: expect.objectContaining({ code: 'INVALID_ARGUMENT' }) } },
    ]);
    ws.close();
  });

  it('closes a connection that sends something other than a Fieldline message, or too much', async () => {
    const a = (await rawSocket(wsUrl(), { origin: origin() })).socket!;
    const aClosed = closeCode(a);
    a.send('not json');
    expect(await aClosed).toBe(1008);
    const b = (await rawSocket(wsUrl(), { origin: origin() })).socket!;
    const bClosed = closeCode(b);
    b.send(JSON.stringify({ type: 'call', id: 1, method: 'app:version', args: ['x'.repeat(5 * 1024 * 1024)] }));
    expect(await bClosed).toBe(1009);
  });
});

describe('who may connect', () => {
  it('refuses a WebSocket from another origin, or with none', async () => {
    expect((await rawSocket(wsUrl(), { origin: 'http://evil.example' })).status).toBe(403);
    expect((await rawSocket(wsUrl(), { origin: `http://localhost:${server.port}` })).status).toBe(403);
    expect((await rawSocket(wsUrl())).status).toBe(403);
  });

  it('refuses a Host that is not ours (DNS rebinding), for pages and the API', async () => {
    expect((await get('/', { host: `evil.example:${server.port}` })).status).toBe(421);
    expect((await rawSocket(wsUrl(), { origin: `http://evil.example:${server.port}`, headers: { host: `evil.example:${server.port}` } })).status).toBe(421);
  });

  it('refuses to serve beyond loopback without a token, and with one requires it on the socket', async () => {
    await expect(startStationServer({ app: station.app, host: '0.0.0.0', port: 0, staticDir })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    const open = await startStationServer({ app: station.app, host: '0.0.0.0', port: 0, staticDir, token: 'T0ken-for-the-line' });
    try {
      const url = `ws://127.0.0.1:${open.port}/api`;
      const from = `http://127.0.0.1:${open.port}`;
      const anonymous = (await rawSocket(url, { origin: from })).socket!;
      const anonymousClosed = closeCode(anonymous);
      anonymous.send(JSON.stringify({ type: 'call', id: 1, method: 'settings:get', args: [] }));
      expect(await anonymousClosed).toBe(4401);

      const wrong = createWebBridge({ url, openSocket: (u) => new WebSocket(u, { origin: from }) as unknown as SocketLike, token: 'guess' });
      const refused = await wrong.api.invoke['settings:get']();
      expect(refused).toMatchObject({ ok: false, error: { code: 'STATION_UNREACHABLE' } });
      expect(wrong.state).toBe('unauthorized');

      const right = createWebBridge({ url, openSocket: (u) => new WebSocket(u, { origin: from }) as unknown as SocketLike, token: 'T0ken-for-the-line' });
      expect(await right.api.invoke['app:version']()).toMatchObject({ ok: true });
      right.close();
    } finally {
      await open.close();
    }
  });
});

describe('static files', () => {
  it('serves the renderer with its content type and the CSP of its meta tag, plus the WebSocket', async () => {
    const index = await get('/');
    expect(index.status).toBe(200);
    expect(index.headers['content-type']).toBe('text/html; charset=utf-8');
    const csp = String(index.headers['content-security-policy']);
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain(`connect-src 'self' ws://127.0.0.1:${server.port}`);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(index.headers['x-content-type-options']).toBe('nosniff');
    const script = await get('/assets/index-abc.js');
    expect(script.status).toBe(200);
    expect(script.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(script.headers['cache-control']).toContain('immutable');
    expect((await get('/devices/42')).body).toBe(INDEX_HTML);
    expect((await get('/api')).status).toBe(426);
  });

  it('never serves a file outside the folder', async () => {
    for (const path of ['/../fieldline-outside-secret.txt', '/..%2ffieldline-outside-secret.txt', '/%2e%2e/%2e%2e/etc/passwd', '/assets/../../etc/passwd', '/..\\..\\etc\\passwd', '/escape.txt', '/%00index.html']) {
      const answer = await get(path);
      expect(answer.status, path).toBe(404);
      expect(answer.body, path).not.toContain('secret');
    }
  });
});
