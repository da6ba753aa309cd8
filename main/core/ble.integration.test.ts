/**
 * Bluetooth LE in the app (issue #7), end to end over the real noble code path: `fieldline sim --ble` in its own
 * process, the app's virtual adapter reaching it through its socket. Through the contract, as the UI calls it: a
 * scan lists the gateways with name and RSSI, provision:start provisions one, drift:check reads it back; and the line
 * started with `ble` provisions every gateway it hears with no click. noble is not loaded until the first scan.
 */
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Device, EventName, EventPayload, MethodName, MethodValue } from '../contract/api';
import { createDispatch, type Dispatch } from '../contract/dispatch';
import type { Result } from '../contract/result';
import { createTestApp, type TestApp } from '../testing/app';
import { spawnSimulator, type SpawnedSimulator } from '../testing/sim-process';

const PROFILE = fileURLToPath(new URL('../../resources/profiles/gateway-eu.yaml', import.meta.url));

const nobleLoaded = (): boolean => Object.keys(createRequire(import.meta.url).cache).some((file) => /[\\/]@abandonware[\\/]noble[\\/]/.test(file));

interface Station {
  sim: SpawnedSimulator;
  app: TestApp;
  dispatch: Dispatch;
}

async function startStation(count: number): Promise<Station> {
  const sim = await spawnSimulator({ count, ble: {}, extra: ['--delay', 'reboot=100'] });
  try {
    // The line watches no USB port and no ports directory here: only what the radio hears joins it.
    const app = await createTestApp({ ble: { adapter: 'virtual', socketPath: sim.socketPath! }, line: { portsDir: false, usb: false, pollMs: 100, kpiIntervalMs: 200 } });
    return { sim, app, dispatch: createDispatch(app.app.handlers) };
  } catch (err) {
    await sim.stop();
    throw err;
  }
}

async function call<N extends MethodName>(station: Station, name: N, ...args: unknown[]): Promise<MethodValue<N>> {
  const result = (await station.dispatch(name, args)) as Result<MethodValue<N>>;
  if (!result.ok) throw new Error(`${name}: ${result.error.code} ${result.error.message}`);
  return result.value;
}

function collect<E extends EventName>(station: Station, name: E): Array<EventPayload<E>> {
  const seen: Array<EventPayload<E>> = [];
  station.app.app.events.on(name, (p) => seen.push(p));
  return seen;
}

async function until(what: string, check: () => boolean, timeoutMs = 40_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('BLE gateways from the Devices screen', () => {
  let station: Station;
  beforeAll(async () => {
    station = await startStation(2);
  });
  afterAll(async () => {
    await station?.app.close();
    await station?.sim.stop();
  });

  it('loads noble only when the first scan asks for it', async () => {
    expect(nobleLoaded()).toBe(false);
    const attached = collect(station, 'device:attached');
    const scan = await call(station, 'devices:scan-ble', { durationMs: 1500 });
    expect(nobleLoaded()).toBe(true);
    expect(scan.adapter).toBe('virtual');
    expect(scan.devices.map((d) => d.path).sort()).toEqual(station.sim.gateways.map((g) => g.address).sort());
    for (const g of station.sim.gateways) {
      const device = scan.devices.find((d) => d.path === g.address);
      expect(device).toMatchObject({ id: `ble:${g.address}`, transport: 'ble', name: g.name, manual: false, state: 'idle' });
      expect(device?.rssi).toBeGreaterThanOrEqual(-90);
      expect(device?.rssi).toBeLessThanOrEqual(-35);
    }
    expect(attached.filter((d) => d.transport === 'ble')).toHaveLength(2);
    // Listed between scans, beside whatever serial ports there are.
    const listed = await call(station, 'devices:list');
    expect(listed.filter((d: Device) => d.transport === 'ble')).toHaveLength(2);
    const settings = await call(station, 'settings:get');
    expect(settings.ble).toEqual({ adapter: 'virtual', source: 'station' });
  });

  it('provisions one with provision:start through the run manager, and drift reads it back over BLE', async () => {
    const gateway = station.sim.gateways[0]!;
    const deviceId = `ble:${gateway.address}`;
    const finished = collect(station, 'run:finished');
    const { runId } = await call(station, 'provision:start', { deviceId, profilePath: PROFILE, variables: {} });
    await until('the run to end', () => finished.some((f) => f.runId === runId));
    const end = finished.find((f) => f.runId === runId);
    expect(end, JSON.stringify(station.app.logs.slice(-15))).toMatchObject({ deviceId, outcome: 'passed' });
    const record = await call(station, 'runs:get', { runId });
    expect(record.device).toMatchObject({ serial: gateway.serial, port: gateway.address });
    expect(record.steps.map((s) => s.outcome)).toEqual(['passed', 'passed', 'passed', 'passed', 'passed', 'passed']);
    const device = (await call(station, 'devices:list')).find((d: Device) => d.id === deviceId);
    expect(device).toMatchObject({ state: 'passed', serial: gateway.serial, lastRunId: runId });
    const drift = await call(station, 'drift:check', { deviceId, profilePath: PROFILE });
    expect(drift).toMatchObject({ serial: gateway.serial, differences: [] });
  });

  it('changing the adapter in Settings drops the gateways heard through the other one', async () => {
    const detached = collect(station, 'device:detached');
    const after = await call(station, 'settings:set-ble-adapter', { adapter: 'system' });
    expect(after.ble).toEqual({ adapter: 'system', source: 'settings' });
    expect((await call(station, 'devices:list')).filter((d: Device) => d.transport === 'ble')).toEqual([]);
    expect(detached).toHaveLength(2);
    const back = await call(station, 'settings:set-ble-adapter', { adapter: 'default' });
    expect(back.ble).toEqual({ adapter: 'virtual', source: 'station' });
  });
});

describe('the line with Bluetooth gateways', () => {
  let station: Station;
  beforeAll(async () => {
    station = await startStation(2);
  });
  afterAll(async () => {
    await station?.app.close();
    await station?.sim.stop();
  });

  it('provisions every gateway its scans hear, with no click, each through the run manager', async () => {
    const finished = collect(station, 'run:finished');
    const state = await call(station, 'line:start', { profilePath: PROFILE, variables: {}, concurrency: 2, ble: true });
    expect(state).toMatchObject({ running: true, ble: true });
    await until('both gateways provisioned by the line', () => finished.filter((f) => f.outcome === 'passed').length === 2, 60_000);
    const slots = (await call(station, 'line:state')).slots;
    expect(slots.map((s) => s.port).sort()).toEqual(station.sim.gateways.map((g) => g.address).sort());
    expect(slots.every((s) => s.state === 'passed')).toBe(true);
    // A slot holding its result is not provisioned again while its gateway stays in range.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(finished).toHaveLength(2);
    const stopped = await call(station, 'line:stop');
    expect(stopped.running).toBe(false);
  }, 90_000);
});
