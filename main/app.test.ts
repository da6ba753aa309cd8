/**
 * createApp's run manager through its handlers (no transport): a firmware upload reports progress with a fraction
 * and bytes/s, a run can be cancelled mid-way (rolled back, the device idle again), a locked CA is refused before a
 * run starts, and the station status follows runs as they start and end.
 */
import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventName, EventPayload, MethodName, MethodValue } from './contract/api';
import { createDispatch, type Dispatch } from './contract/dispatch';
import type { Result } from './contract/result';
import { makeMcubootImage, parseMcubootImage } from './device/mcuboot-image';
import { createTestApp, type TestApp } from './testing/app';
import { spawnSimulator, type SpawnedSimulator } from './testing/sim-process';

let sim: SpawnedSimulator;
let station: TestApp;
let dispatch: Dispatch;
let profilePath: string;

async function call<N extends MethodName>(name: N, ...args: unknown[]): Promise<MethodValue<N>> {
  const result = (await dispatch(name, args)) as Result<MethodValue<N>>;
  if (!result.ok) throw Object.assign(new Error(`${name}: ${result.error.code} ${result.error.message}`), { code: result.error.code });
  return result.value;
}

function collect<E extends EventName>(name: E): Array<EventPayload<E>> {
  const seen: Array<EventPayload<E>> = [];
  station.app.events.on(name, (p) => seen.push(p));
  return seen;
}

function next<E extends EventName>(name: E, match: (p: EventPayload<E>) => boolean): Promise<EventPayload<E>> {
  return new Promise((resolve) => {
    const stop = station.app.events.on(name, (p) => {
      if (!match(p)) return;
      stop();
      resolve(p);
    });
  });
}

const PROFILE = (image: string, sha256: string): string => `apiVersion: fieldline/v1
name: gw-update
version: 1.0.0
firmware:
  minVersion: 1.1.0
  image: ${image}
  sha256: ${sha256}
identity:
  mode: csr
  subject: "CN={{ device.serial }},O=Test"
settings:
  fieldline/site:
    type: string
    value: "LAB-1"
`;

beforeAll(async () => {
  sim = await spawnSimulator({ count: 2, baud: 0, extra: ['--firmware-version', '1.0.0', '--delay', 'reboot=100', '--delay', 'keyGeneration=1500', '--delay', 'erase=0'] });
  station = await createTestApp({ extraPorts: sim.gateways.map((g) => g.port) });
  dispatch = createDispatch(station.app.handlers);
  const image = makeMcubootImage({ version: '1.1.0', size: 96 * 1024 });
  expect(parseMcubootImage(image).hash).toBeDefined();
  await mkdir(join(station.dataDir, 'profiles'), { recursive: true });
  await writeFile(join(station.dataDir, 'profiles', 'app-1.1.0.bin'), image);
  const imported = await call('profiles:import', { fileName: 'gw-update.yaml', content: PROFILE('app-1.1.0.bin', createHash('sha256').update(image).digest('hex')) });
  expect(imported.problemList).toEqual([]);
  profilePath = imported.path;
}, 60_000);

afterAll(async () => {
  await station?.close();
  await sim?.stop();
});

describe('runs through createApp', () => {
  it('uploads firmware with progress (the one progress event, throttled at its source) and passes; the station status follows', async () => {
    const progress = collect('run:progress');
    const statuses = collect('station:status');
    const deviceId = `serial:${sim.gateways[0]!.port}`;
    const { runId } = await call('provision:start', { deviceId, profilePath, variables: {} });
    const end = await next('run:finished', (p) => p.runId === runId);
    expect(end.outcome, JSON.stringify(station.logs.slice(-10))).toBe('passed');
    const upload = progress.filter((p) => p.runId === runId && p.step === 'firmware');
    expect(upload.length).toBeGreaterThan(0);
    expect(upload.every((p) => p.op === 'image upload')).toBe(true);
    const last = upload.at(-1);
    expect(last?.done).toBe(last?.total);
    expect(last?.etaSeconds).toBe(0);
    expect(upload.some((p) => p.bytesPerSecond > 0)).toBe(true);
    expect(statuses.map((s) => s.activeRuns)).toEqual(expect.arrayContaining([1, 0]));
    const record = await call('runs:get', { runId });
    expect(record.device.firmwareAfter).toBe('1.1.0');
    expect((await call('runs:log', { runId })).lines.length).toBeGreaterThan(0);
  }, 60_000);

  it('cancels a run mid-way: rolled back, recorded as cancelled, the device idle again', async () => {
    const deviceId = `serial:${sim.gateways[1]!.port}`;
    const identityStarted = next('run:step', (p) => p.step === 'identity' && p.state === 'running');
    const { runId } = await call('provision:start', { deviceId, profilePath, variables: {} });
    const finished = next('run:finished', (p) => p.runId === runId);
    await identityStarted;
    expect(await call('provision:cancel', { runId })).toEqual({ cancelled: true });
    const end = await finished;
    expect(end).toMatchObject({ outcome: 'cancelled', error: { code: 'CANCELLED' } });
    expect((await call('devices:list')).find((d) => d.id === deviceId)).toMatchObject({ state: 'idle', lastRunId: runId });
    const record = await call('runs:get', { runId });
    expect(record.outcome).toBe('cancelled');
    expect(record.rollback?.actions.length).toBeGreaterThan(0);
    expect(await call('provision:cancel', { runId })).toEqual({ cancelled: false });
  }, 60_000);

  it('refuses to start while the CA is locked, and for a profile it did not offer', async () => {
    const locked = await createTestApp({ withCa: false, pollMs: 0, extraPorts: [sim.gateways[1]!.port] });
    try {
      const lockedDispatch = createDispatch(locked.app.handlers);
      const answer = await lockedDispatch('provision:start', [{ deviceId: `serial:${sim.gateways[1]!.port}`, profilePath, variables: {} }]);
      expect(answer).toMatchObject({ ok: false, error: { code: 'CA_NOT_INITIALIZED' } });
    } finally {
      await locked.close();
    }
    await expect(call('provision:start', { deviceId: `serial:${sim.gateways[1]!.port}`, profilePath: '/etc/passwd', variables: {} })).rejects.toMatchObject({ code: 'PROFILE_NOT_FOUND' });
    await expect(call('provision:start', { deviceId: `serial:${sim.gateways[1]!.port}`, profilePath, variables: { nope: 'x' } })).rejects.toMatchObject({ code: 'TEMPLATE_VARIABLE_INVALID' });
  }, 60_000);
});
