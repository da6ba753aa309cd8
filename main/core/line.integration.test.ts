/**
 * The line inside the app (issue #6): started through the contract with an example profile, it provisions every
 * virtual gateway that appears in its ports directory without a click, through the app's run manager (so each run
 * is a device and a run like a clicked one), binds scans, prints the label of each passing run on the configured
 * printer (a listener on loopback here), publishes KPIs and SPC charts, and stops.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventName, EventPayload, MethodName, MethodValue } from '../contract/api';
import { createDispatch, type Dispatch } from '../contract/dispatch';
import type { Result } from '../contract/result';
import { createTestApp, type TestApp } from '../testing/app';
import { spawnSimulator, type SpawnedSimulator } from '../testing/sim-process';

let station: TestApp;
let dispatch: Dispatch;
let portsDir: string;
let sim: SpawnedSimulator | undefined;
let printer: Server;
let printed: string[];
let printerAddress: string;

async function call<N extends MethodName>(name: N, ...args: unknown[]): Promise<MethodValue<N>> {
  const result = (await dispatch(name, args)) as Result<MethodValue<N>>;
  if (!result.ok) throw Object.assign(new Error(`${name}: ${result.error.code} ${result.error.message}`), { code: result.error.code });
  return result.value;
}

async function failure(name: MethodName, ...args: unknown[]): Promise<string | undefined> {
  const result = await dispatch(name, args);
  return result.ok ? undefined : result.error.code;
}

function collect<E extends EventName>(name: E): Array<EventPayload<E>> {
  const seen: Array<EventPayload<E>> = [];
  station.app.events.on(name, (p) => seen.push(p));
  return seen;
}

beforeAll(async () => {
  printed = [];
  printer = createServer((socket) => {
    let text = '';
    socket.setEncoding('utf8').on('data', (t: string) => (text += t));
    socket.on('end', () => {
      printed.push(text);
      socket.end();
    });
  });
  await new Promise<void>((resolve) => printer.listen(0, '127.0.0.1', resolve));
  printerAddress = `127.0.0.1:${(printer.address() as AddressInfo).port}`;
  portsDir = await mkdtemp(join(tmpdir(), 'fieldline-line-ports-'));
  station = await createTestApp({ line: { portsDir, usb: false, pollMs: 100, kpiIntervalMs: 200 } });
  dispatch = createDispatch(station.app.handlers);
});

afterAll(async () => {
  await station?.close();
  await sim?.stop();
  await rm(portsDir, { recursive: true, force: true });
  await new Promise<void>((resolve) => printer.close(() => resolve()));
});

describe('the line in the app', { timeout: 180_000 }, () => {
  it('refuses what it cannot do, in the contract’s words', async () => {
    expect(await failure('line:scan', { text: 'F1E1D00000000001' })).toBe('LINE_NOT_RUNNING');
    expect(await failure('line:start', { profilePath: '/etc/passwd', variables: {} })).toBe('PROFILE_NOT_FOUND');
    expect(await failure('line:start', { profilePath: 'x', variables: {}, concurrency: 0 })).toBe('INVALID_ARGUMENT');
    expect(await failure('settings:set-printer', { printer: 'printer:99999' })).toBe('INVALID_ARGUMENT');
    expect(await failure('settings:set-printer', { printer: 'a b' })).toBe('INVALID_ARGUMENT');
    const idle = await call('line:state');
    expect(idle).toMatchObject({ running: false, stopping: false, slots: [], pendingScans: [] });
  });

  it('provisions every gateway that appears, through the run manager, with scans, labels, KPIs and SPC', async () => {
    const settings = await call('settings:set-printer', { printer: printerAddress });
    expect(settings.printer).toBe(printerAddress);
    const profile = (await call('profiles:list')).find((p) => p.fileName === 'gateway-eu.yaml')!;
    const statuses = collect('line:status');
    const slots = collect('line:slot');
    const kpis = collect('line:kpis');
    // requireScan: each gateway waits for its label, so which board takes which scan does not depend on plug order.
    const started = await call('line:start', { profilePath: profile.path, concurrency: 2, variables: { site: 'LAB-1' }, requireScan: true });
    expect(started).toMatchObject({ running: true, concurrency: 2, requireScan: true, profile: { name: 'gateway-eu', path: profile.path }, printer: printerAddress });
    expect(await failure('line:start', { profilePath: profile.path, variables: {} })).toBe('LINE_RUNNING');

    // A scan before the gateways exist: a variable for the next one to start.
    expect(await failure('line:scan', { text: 'site=bad' })).toBe('TEMPLATE_VARIABLE_INVALID');
    expect(await failure('line:scan', { text: 'two labels' })).toBe('SCAN_INVALID');
    expect(await failure('line:scan', { text: 'X', slot: '/dev/not-a-slot' })).toBe('INVALID_ARGUMENT');
    expect(await call('line:scan', { text: 'site=LAB-7' })).toEqual({ slot: 'next', binding: { kind: 'variable', name: 'site', value: 'LAB-7' } });
    expect(statuses.at(-1)?.pendingScans).toHaveLength(1);

    sim = await spawnSimulator({
      count: 3,
      baud: 0,
      faults: ['fail-diag:name=selftest,gw=2'],
      env: { FIELDLINE_PORTS_DIR: portsDir },
      extra: ['--delay', 'reboot=100', '--delay', 'keyGeneration=50', '--delay', 'erase=0'],
    });
    // Every board waits for its label, and says so.
    await expect.poll(async () => (await call('line:state')).slots.filter((s) => s.awaitingScan && s.queued && !s.runId).length, { timeout: 30_000 }).toBe(3);
    // The labels of two boards, scanned for "next": each goes to the board it names.
    expect(await call('line:scan', { text: 'F1E1D00000000001' })).toEqual({ slot: 'next', binding: { kind: 'serial', value: 'F1E1D00000000001' } });
    await call('line:scan', { text: 'F1E1D00000000002' });
    const finished = async (): Promise<EventPayload<'line:slot'>[]> => (await call('line:state')).slots.filter((s) => s.state === 'passed' || s.state === 'failed');
    await expect.poll(async () => (await finished()).length, { timeout: 120_000, interval: 250 }).toBe(2);
    const waiting = (await call('line:state')).slots.find((s) => s.state === 'provisioning');
    expect(waiting).toMatchObject({ queued: true, awaitingScan: true, serialNumber: 'F1E1D00000000003' });
    expect(waiting?.runId).toBeUndefined();
    await call('line:scan', { text: 'F1E1D00000000003', slot: waiting!.port });
    await expect.poll(async () => (await finished()).length, { timeout: 120_000, interval: 250 }).toBe(3);

    const state = await call('line:state');
    const byState = (s: string): typeof state.slots => state.slots.filter((slot) => slot.state === s);
    expect(byState('passed'), JSON.stringify(state.slots, null, 1)).toHaveLength(2);
    expect(byState('failed')).toHaveLength(1);
    expect(byState('failed')[0], JSON.stringify(state.slots, null, 1)).toMatchObject({ failedStep: 'diagnostics', outcome: 'failed', serial: sim.gateways[2]!.serial });
    for (const slot of state.slots) {
      // A run like a clicked one: its device is listed, its record and log are there.
      expect(slot.deviceId && slot.runId && slot.startedAt && slot.endedAt, JSON.stringify(slot)).toBeTruthy();
      expect((await call('devices:list')).some((d) => d.id === slot.deviceId && d.lastRunId === slot.runId)).toBe(true);
      expect((await call('runs:get', { runId: slot.runId })).outcome).toBe(slot.outcome);
      expect((await call('runs:log', { runId: slot.runId })).lines.length).toBeGreaterThan(0);
    }
    // The step under way was shown while the runs went.
    expect(slots.some((s) => s.state === 'provisioning' && s.currentStep === 'identity')).toBe(true);
    // Scans: each serial went to the board it names, the variable to exactly one run.
    for (const slot of state.slots) expect(slot.bindings?.serial).toBe(slot.serial);
    const first = state.slots.find((s) => s.serial === 'F1E1D00000000001')!;
    const records = await Promise.all(state.slots.map((s) => call('runs:get', { runId: s.runId })));
    expect(records.filter((r) => r.variables['site'] === 'LAB-7')).toHaveLength(1);
    expect(records.filter((r) => r.variables['site'] === 'LAB-1')).toHaveLength(2);
    expect(state.pendingScans).toEqual([]);

    // A label for each passing run, on the printer, said on its slot.
    await expect.poll(() => printed.length, { timeout: 10_000 }).toBe(2);
    for (const slot of byState('passed')) expect(printed.some((zpl) => zpl.includes(`SN ${slot.serial}`))).toBe(true);
    await expect.poll(async () => (await call('line:state')).slots.filter((s) => s.label?.target === `printer:${printerAddress}`).length, { timeout: 10_000 }).toBe(2);

    // The figures: after the last run, one line:kpis (not one per run) with the counts, yield and a chart.
    await expect.poll(() => kpis.at(-1)?.session.units, { timeout: 15_000 }).toBe(3);
    const figures = kpis.at(-1)!;
    expect(kpis.length).toBeLessThanOrEqual(4);
    expect(figures.session).toMatchObject({ units: 3, passed: 2, failed: 1, failuresByStep: [{ step: 'diagnostics', count: 1 }] });
    expect(figures.session.firstPassYield).toBeCloseTo(2 / 3);
    // Three units in seconds: no units/hour yet (it takes 5 units or 5 minutes to mean something).
    expect(figures.session.unitsPerHour).toBeUndefined();
    expect(figures.session).toMatchObject({ firstPassUnits: 3, rework: { units: 0, passed: 0, failed: 0 } });
    expect(Object.keys(figures.bySlot).sort()).toEqual(state.slots.map((s) => s.port).sort());
    expect(figures.today.units).toBeGreaterThanOrEqual(3);
    expect(figures.spc.find((c) => c.name === 'temperature')).toMatchObject({ n: 3, unit: 'C' });

    // Reprint from the run view: to the configured printer, or to a file when asked for none and none is set.
    const reprint = await call('runs:print-label', { runId: first.runId });
    expect(reprint).toMatchObject({ target: `printer:${printerAddress}`, serial: 'F1E1D00000000001' });
    await expect.poll(() => printed.length, { timeout: 10_000 }).toBe(3);
    await call('settings:set-printer', { printer: '' });
    expect((await call('line:state')).printer).toBeUndefined();
    expect((await call('runs:print-label', { runId: first.runId })).file).toMatch(/labels\/F1E1D00000000001-.*\.zpl$/);
    expect(await failure('runs:print-label', { runId: byState('failed')[0]!.runId })).toBe('LABEL_NOT_PASSED');

    // A gateway whose run ended stays as it is: it is not provisioned twice.
    expect((await call('line:state')).slots.every((s) => s.state === 'passed' || s.state === 'failed')).toBe(true);

    const stopped = await call('line:stop');
    expect(stopped).toMatchObject({ running: false, stopping: false, slots: [] });
    expect(statuses.at(-1)).toMatchObject({ running: false });
    expect(slots.filter((s) => s.state === 'empty')).toHaveLength(3);
    // The figures of the session stay readable after the stop.
    expect(stopped.kpis.session.units).toBe(3);

    // Started again with the three still plugged in: the two that passed show "passed earlier" with their run and
    // are not provisioned twice; the one that failed is provisioned again (and fails again, at diagnostics).
    const runStarts = collect('run:started');
    const again = await call('line:start', { profilePath: profile.path, concurrency: 2, variables: { site: 'LAB-1' } });
    expect(again.reprovision).toBeUndefined();
    await expect.poll(async () => (await call('line:state')).slots.filter((s) => s.state === 'passed' || s.state === 'failed').length, { timeout: 120_000, interval: 250 }).toBe(3);
    const restarted = await call('line:state');
    const earlier = restarted.slots.filter((s) => s.previous);
    expect(earlier.map((s) => [s.serial, s.runId]).sort()).toEqual(byState('passed').map((s) => [s.serial, s.runId]).sort());
    expect(earlier.every((s) => s.state === 'passed' && s.outcome === 'passed' && s.startedAt === undefined)).toBe(true);
    const retried = restarted.slots.find((s) => !s.previous)!;
    expect(retried).toMatchObject({ state: 'failed', serial: sim.gateways[2]!.serial, failedStep: 'diagnostics' });
    expect(retried.runId).not.toBe(byState('failed')[0]!.runId);
    expect(runStarts.map((r) => r.runId)).toEqual([retried.runId]);
    await expect.poll(() => kpis.at(-1)?.session.units, { timeout: 15_000 }).toBe(1);
    expect((await call('line:stop')).kpis.session).toMatchObject({ units: 1, passed: 0, failed: 1 });
  });
});
