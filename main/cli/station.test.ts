/**
 * `fieldline station --demo` as a newcomer runs it: a child process that prints its URL, serves the page, and
 * through the page's own web bridge lists four virtual gateways, provisions one (passed, and the record reaches
 * the demo registry), sees the selftest gateway fail, and stops cleanly on SIGTERM, leaving no temporary folder.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { EventPayload, FieldlineApi } from '../contract/api';
import { createWebBridge, type SocketLike, type WebBridge } from '../../renderer/src/bridge/web';
import { REPO_ROOT } from '../testing/cli';

interface Ready {
  url: string;
  openUrl: string;
  dataDir: string;
  demo: { gateways: Array<{ serial: string; port: string }>; registry: string; ble?: Array<{ serial: string; name: string; address: string }> };
}

let child: ChildProcess;
let ready: Ready;
let bridge: WebBridge;
let api: FieldlineApi;
let stderr = '';

function startStation(args: string[]): Promise<Ready> {
  child = spawn(process.execPath, ['bin/fieldline.js', 'station', ...args], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stderr?.setEncoding('utf8').on('data', (t: string) => (stderr += t));
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout?.setEncoding('utf8').on('data', (t: string) => {
      out += t;
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (line) resolve(JSON.parse(line) as Ready);
    });
    child.on('close', (code) => reject(new Error(`station exited with ${code}\n${stderr}`)));
  });
}

function finished(runId: string): Promise<EventPayload<'run:finished'>> {
  return new Promise((resolve) => {
    const stop = api.on['run:finished']((p) => {
      if (p.runId !== runId) return;
      stop();
      resolve(p);
    });
  });
}

beforeAll(async () => {
  ready = await startStation(['--demo', '--port', '0', '--json']);
  const { host } = new URL(ready.url);
  bridge = createWebBridge({ url: `ws://${host}/api`, openSocket: (u) => new WebSocket(u, { origin: `http://${host}` }) as unknown as SocketLike });
  api = bridge.api;
}, 120_000);

afterAll(async () => {
  bridge?.close();
  if (child && child.exitCode === null) child.kill('SIGKILL');
});

describe('fieldline station --demo', () => {
  it('serves the built renderer at the printed URL', async () => {
    expect(ready.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const page = await fetch(ready.url);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<div id="root">');
    expect(page.headers.get('content-security-policy')).toContain('connect-src');
  });

  it('has virtual Bluetooth gateways that a scan finds, with their names and signal strength', async () => {
    expect(ready.demo.ble).toHaveLength(2);
    const scan = await api.invoke['devices:scan-ble']({ durationMs: 1500 });
    if (!scan.ok) throw new Error(`${scan.error.code}: ${scan.error.message}`);
    expect(scan.value.adapter).toBe('virtual');
    expect(scan.value.devices.map((d) => [d.path, d.name]).sort()).toEqual(ready.demo.ble!.map((g) => [g.address, g.name]).sort());
    expect(scan.value.devices.every((d) => d.transport === 'ble' && typeof d.rssi === 'number')).toBe(true);
  });

  it('provisions a virtual gateway that passes and one that fails its selftest, and the passed record reaches the registry', async () => {
    const devices = await api.invoke['devices:list']();
    if (!devices.ok) throw new Error(devices.error.message);
    // The demo's four, besides whatever serial ports this machine has.
    expect(devices.value.map((d) => d.id)).toEqual(expect.arrayContaining(ready.demo.gateways.map((g) => `serial:${g.port}`)));
    const profiles = await api.invoke['profiles:list']();
    if (!profiles.ok) throw new Error(profiles.error.message);
    const profilePath = profiles.value.find((p) => p.fileName === 'gateway-eu.yaml')!.path;
    const settings = await api.invoke['settings:get']();
    expect(settings).toMatchObject({ ok: true, value: { tokenSet: true, registryUrl: ready.demo.registry, ca: { ready: true } } });

    const good = await api.invoke['provision:start']({ deviceId: `serial:${ready.demo.gateways[0]!.port}`, profilePath, variables: {} });
    const bad = await api.invoke['provision:start']({ deviceId: `serial:${ready.demo.gateways[3]!.port}`, profilePath, variables: {} });
    if (!good.ok || !bad.ok) throw new Error(JSON.stringify([good, bad]));
    const [goodEnd, badEnd] = await Promise.all([finished(good.value.runId), finished(bad.value.runId)]);
    expect(goodEnd.outcome, stderr).toBe('passed');
    expect(badEnd).toMatchObject({ outcome: 'failed', error: { code: 'DIAGNOSTICS_FAILED' } });

    // The drainer wakes for each queued run; both records leave for the demo registry.
    for (let i = 0; i < 100; i += 1) {
      const q = await api.invoke['queue:status']();
      if (q.ok && q.value.pending + q.value.inFlight === 0 && q.value.online) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(await api.invoke['queue:status']()).toMatchObject({ ok: true, value: { pending: 0, inFlight: 0, online: true } });
    const device = await fetch(`${ready.demo.registry}/v1/devices/${ready.demo.gateways[0]!.serial}`);
    expect(device.status).toBe(401); // the registry wants the station's token: it is up, and not open to anyone
  }, 120_000);

  it('stops on SIGTERM and removes its temporary folders', async () => {
    const exited = new Promise<number | null>((resolve) => child.once('close', resolve));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(existsSync(dirname(ready.dataDir))).toBe(false);
    expect(existsSync(join(ready.dataDir, 'fieldline.db'))).toBe(false);
  }, 60_000);
});
