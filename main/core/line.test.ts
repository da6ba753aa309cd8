/**
 * The line service with its parts faked (watch, run manager, store): what it adds to the orchestrator — the step
 * under way on each slot, one figures event per burst of ending runs, labels after a pass, and a stop that cancels
 * the runs under way through the run manager.
 */
import { fileURLToPath } from 'node:url';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { EventName, EventPayload } from '../contract/api';
import { FieldlineError } from '../errors';
import type { RunRecord } from '../contract/run-record';
import { silentLogger } from '../log';
import { loadProfile, type LoadedProfile } from '../profiles/load';
import type { WatchedPort } from '../station/port-watch';
import type { Store } from '../store/types';
import { fakePortWatch, type FakePortWatch } from '../testing/fake-port-watch';
import type { CaHolder } from './ca';
import type { DeviceDiscovery } from './devices';
import { createAppEvents, type AppEvents } from './events';
import type { LabelService } from './labels';
import { createLineService, type LineEvent, type LineService } from './line';
import type { LineWatchOptions } from './line-session';
import type { RunRelease } from './release-gate';
import type { ProfileLibrary } from './profiles';
import type { RunManager, StartOptions, StartRun } from './runs';

const PROFILE = fileURLToPath(new URL('../../resources/profiles/gateway-eu.yaml', import.meta.url));
let profile: LoadedProfile;
beforeAll(async () => {
  profile = await loadProfile(PROFILE);
});

interface Started {
  request: StartRun;
  options: StartOptions;
  end(outcome: RunRecord['outcome'], failedStep?: 'diagnostics'): void;
}

function record(started: Started, outcome: RunRecord['outcome'], failedStep?: 'diagnostics'): RunRecord {
  const at = new Date().toISOString();
  return {
    id: started.options.runId!,
    device: { serial: `SN-${started.request.deviceId}`, port: started.request.deviceId },
    profile: { name: 'gateway-eu', version: '1.0.0', sha256: '' },
    station: { name: 'test' },
    variables: started.request.variables,
    startedAt: at,
    endedAt: at,
    outcome,
    steps: failedStep ? [{ name: failedStep, startedAt: at, endedAt: at, outcome: 'failed', evidence: {} }] : [],
    diagnostics: [{ name: 'temperature', type: 'shell-number', passed: true, value: 20 + Math.random(), limits: {}, durationMs: 1 }],
  };
}

interface Rig {
  line: LineService;
  events: AppEvents;
  watch: FakePortWatch;
  started: Started[];
  audit: string[];
  /** Who each audit entry and each label print named. */
  actors: string[];
  printedBy: Array<string | undefined>;
  printed: string[];
  /** The store's last run per device serial (what `previousResult` reads). */
  lastRuns: Map<string, RunRecord>;
  /** What each session asked its port watch to watch. */
  watched: Array<Omit<LineWatchOptions, 'logger'>>;
  seen<E extends EventName>(name: E): Array<EventPayload<E>>;
}

function rig(options: { printer?: string; printFails?: boolean; release?: RunRelease } = {}): Rig {
  const events = createAppEvents();
  const watch = fakePortWatch();
  const started: Started[] = [];
  const audit: string[] = [];
  const actors: string[] = [];
  const printedBy: Array<string | undefined> = [];
  const printed: string[] = [];
  const lastRuns = new Map<string, RunRecord>();
  const watched: Rig['watched'] = [];
  const finished = new Map<string, Promise<RunRecord>>();
  const runs = {
    async start(request: StartRun, opts: StartOptions = {}) {
      let resolve!: (r: RunRecord) => void;
      finished.set(opts.runId!, new Promise((r) => (resolve = r)));
      const entry: Started = { request, options: opts, end: (outcome, step) => resolve(record(entry, outcome, step)) };
      started.push(entry);
      // As the run manager does: a cancelled run ends cancelled.
      opts.signal?.addEventListener('abort', () => entry.end('cancelled'));
      return { runId: opts.runId! };
    },
    finished: (runId: string) => finished.get(runId)!,
  } as unknown as RunManager; // the two methods the line uses
  const store = {
    getRun: () => undefined,
    listRuns: () => [],
    lastRun: (serial: string) => lastRuns.get(serial),
    appendAudit: (e: { action: string; actor: string }) => {
      audit.push(e.action);
      actors.push(e.actor);
      return {};
    },
  } as unknown as Store; // what the line and today's figures read
  const labels: LabelService = {
    print: async ({ runId, actor }) => {
      printedBy.push(actor);
      if (options.printFails) throw new FieldlineError('PRINTER_UNREACHABLE', '10.0.0.9:9100: connection refused');
      printed.push(runId);
      return { runId, serial: 'x', target: `printer:${options.printer}`, bytes: 10, sha256: 'a'.repeat(64) };
    },
  };
  const line = createLineService({
    events,
    devices: { list: () => [], addPort: async (path: string) => ({ id: `serial:${path}`, path }) } as unknown as DeviceDiscovery,
    runs,
    profiles: { loadForRun: async () => ({ profile, ...(options.release ? { release: options.release } : {}) }) } as unknown as ProfileLibrary,
    ca: { signer: async () => ({}) } as unknown as CaHolder,
    store,
    labels,
    station: { name: 'test' },
    printer: () => options.printer,
    logger: silentLogger,
    kpiIntervalMs: 60,
    createWatch: ({ logger: _logger, ...asked }) => {
      watched.push(asked);
      return watch;
    },
  });
  const seen = <E extends EventName>(name: E): Array<EventPayload<E>> => {
    const list: Array<EventPayload<E>> = [];
    events.on(name, (p) => list.push(p));
    return list;
  };
  return { line, events, watch, started, audit, actors, printedBy, printed, lastRuns, watched, seen };
}

const port = (n: number): WatchedPort => ({ path: `/ports/GW${n}`, source: 'virtual', serialNumber: `GW${n}` });
// Up to 2,000 polls (10 s and more): only a guard against a hang; 200 (1 s) could run out on a loaded CI.
const until = async (check: () => boolean): Promise<void> => {
  for (let i = 0; i < 2000 && !check(); i += 1) await new Promise((r) => setTimeout(r, 5));
  expect(check()).toBe(true);
};

let current: Rig | undefined;
afterEach(async () => {
  await current?.line.close();
  current = undefined;
});

describe('line service', () => {
  it('shows the step under way on its slot, and at most one figures event per interval while runs end', async () => {
    const r = (current = rig());
    const kpis = r.seen('line:kpis');
    const slots = r.seen('line:slot');
    await r.line.start({ profilePath: PROFILE, variables: {}, concurrency: 8 });
    for (let i = 1; i <= 5; i += 1) r.watch.plug(port(i));
    await until(() => r.started.length === 5);
    expect(r.started.every((s) => s.options.auditAction === 'line.provision' && s.options.profile === profile)).toBe(true);
    const first = r.started[0]!;
    r.events.emit('run:step', { runId: first.options.runId!, step: 'identity', state: 'running', startedAt: new Date().toISOString() });
    expect(slots.at(-1)).toMatchObject({ port: '/ports/GW1', currentStep: 'identity', deviceId: 'serial:/ports/GW1', runId: first.options.runId });
    const sentAt: number[] = [];
    r.events.on('line:kpis', () => sentAt.push(Date.now()));
    // Five runs ending about 10 ms apart: never two figures events within the 60 ms interval, however the ends fall
    // on a busy machine (the throttle's own counts, on a fake clock, are in line-kpi-throttle.test.ts).
    for (const [i, s] of r.started.entries()) {
      s.end(i === 4 ? 'failed' : 'passed', i === 4 ? 'diagnostics' : undefined);
      await new Promise((r2) => setTimeout(r2, 10));
    }
    await until(() => kpis.at(-1)?.session.units === 5);
    expect(sentAt.length).toBeGreaterThan(0);
    // A timer may fire a millisecond before the wall clock shows the interval has passed.
    expect(sentAt.slice(1).map((t, i) => t - sentAt[i]!).filter((gap) => gap < 59)).toEqual([]);
    expect(kpis.at(-1)!.session).toMatchObject({ passed: 4, failed: 1, failuresByStep: [{ step: 'diagnostics', count: 1 }] });
    expect(kpis.at(-1)!.spc[0]).toMatchObject({ name: 'temperature', n: 5 });
    const state = r.line.state();
    expect(state.slots.map((s) => s.state).sort()).toEqual(['failed', 'passed', 'passed', 'passed', 'passed']);
    expect(state.slots.every((s) => s.endedAt !== undefined && s.currentStep === undefined)).toBe(true);
  });

  it('stopping cancels the runs under way through the run manager, empties the slots, and is audited', async () => {
    const r = (current = rig());
    const statuses = r.seen('line:status');
    await r.line.start({ profilePath: PROFILE, variables: { site: 'LAB-1' }, concurrency: 1 });
    await expect(r.line.start({ profilePath: PROFILE, variables: {} })).rejects.toMatchObject({ code: 'LINE_RUNNING' });
    r.watch.plug(port(1));
    r.watch.plug(port(2));
    await until(() => r.started.length === 1);
    expect(r.line.state().slots.find((s) => s.port === '/ports/GW2')).toMatchObject({ queued: true, state: 'provisioning' });
    expect(r.started[0]!.request.variables).toEqual({ site: 'LAB-1' });
    // A second stop while the first winds down is the same stop (audited once, below).
    const [stopped] = await Promise.all([r.line.stop(), r.line.stop()]);
    expect(r.started[0]!.options.signal?.aborted).toBe(true);
    // The queued gateway never started.
    expect(r.started).toHaveLength(1);
    expect(stopped).toMatchObject({ running: false, stopping: false, slots: [] });
    expect(statuses.some((s) => s.stopping)).toBe(true);
    expect(statuses.at(-1)).toMatchObject({ running: false, stopping: false });
    expect(r.audit).toEqual(['line.start', 'line.stop']);
    expect(() => r.line.scan('F1E1D00000000001')).toThrow(expect.objectContaining({ code: 'LINE_NOT_RUNNING' }));
  });

  it('Stop and Retry on one slot: its run is cancelled, then run again on the same gateway; each audited under who asked', async () => {
    const r = (current = rig());
    expect(() => r.line.stopSlot('/ports/GW1')).toThrow(expect.objectContaining({ code: 'LINE_NOT_RUNNING' }));
    await r.line.start({ profilePath: PROFILE, variables: {} });
    r.watch.plug(port(1));
    await until(() => r.started.length === 1);
    r.line.stopSlot('/ports/GW1', 'operator:ana');
    expect(r.started[0]!.options.signal?.aborted).toBe(true);
    await until(() => r.line.state().slots[0]?.state === 'remove-me');
    const again = r.line.startSlot('/ports/GW1', 'operator:ana');
    expect(again.slots[0]).toMatchObject({ port: '/ports/GW1', state: 'provisioning' });
    await until(() => r.started.length === 2);
    expect(() => r.line.startSlot('/ports/GW1')).toThrow(expect.objectContaining({ code: 'SLOT_BUSY' }));
    expect(() => r.line.startSlot('/ports/GW9')).toThrow(expect.objectContaining({ code: 'SLOT_NOT_FOUND' }));
    await r.line.stop();
    expect(r.audit).toEqual(['line.start', 'line.slot-stop', 'line.slot-start', 'line.stop']);
    expect(r.actors.slice(1, 3)).toEqual(['operator:ana', 'operator:ana']);
  });

  it("passes the release the gate found to every run of the session, as the station app's line:start asks it", async () => {
    const release: RunRelease = { channel: 'pilot', name: 'gateway-eu', version: '1.0.0', sha256: 'b'.repeat(64) };
    const r = (current = rig({ release }));
    await r.line.start({ profilePath: PROFILE, variables: {} });
    r.watch.plug(port(1));
    r.watch.plug(port(2));
    await until(() => r.started.length === 2);
    expect(r.started.map((s) => s.options.release)).toEqual([release, release]);
    await r.line.stop();
  });

  it('names the operator who started the session in its audit entries, its runs and its labels; `line` when nobody signed in', async () => {
    const r = (current = rig({ printer: '10.0.0.9:9100' }));
    await r.line.start({ profilePath: PROFILE, variables: {}, actor: 'operator:ana' });
    r.watch.plug(port(1));
    await until(() => r.started.length === 1);
    expect(r.started[0]!.options.actor).toBe('operator:ana');
    r.started[0]!.end('passed');
    await until(() => r.printedBy.length === 1);
    expect(r.printedBy).toEqual(['operator:ana']);
    await r.line.stop();
    expect(r.actors).toEqual(['operator:ana', 'operator:ana']);

    // GW1 is still plugged in: the new session finds it, with GW2.
    await r.line.start({ profilePath: PROFILE, variables: {} });
    r.watch.plug(port(2));
    await until(() => r.started.length === 3);
    expect(r.started.slice(1).map((s) => s.options.actor)).toEqual([undefined, undefined]);
    await r.line.stop();
    expect(r.actors.slice(2)).toEqual(['line', 'line']);
  });

  it('prints the label of each passing run when a printer is set, and says on the slot when it could not', async () => {
    const r = (current = rig({ printer: '10.0.0.9:9100' }));
    await r.line.start({ profilePath: PROFILE, variables: {} });
    r.watch.plug(port(1));
    r.watch.plug(port(2));
    await until(() => r.started.length === 2);
    r.started[0]!.end('passed');
    r.started[1]!.end('failed', 'diagnostics');
    await until(() => r.line.state().slots.some((s) => s.label !== undefined));
    expect(r.printed).toEqual([r.started[0]!.options.runId]);
    expect(r.line.state().slots.find((s) => s.port === '/ports/GW1')?.label).toEqual({ target: 'printer:10.0.0.9:9100', bytes: 10 });
    expect(r.line.state().slots.find((s) => s.port === '/ports/GW2')?.label).toBeUndefined();

    const failing = rig({ printer: '10.0.0.9:9100', printFails: true });
    await failing.line.start({ profilePath: PROFILE, variables: {} });
    failing.watch.plug(port(3));
    await until(() => failing.started.length === 1);
    failing.started[0]!.end('passed');
    await until(() => failing.line.state().slots[0]?.label !== undefined);
    expect(failing.line.state().slots[0]?.label?.error).toMatchObject({ code: 'PRINTER_UNREACHABLE', message: expect.stringContaining('refused') });
    await failing.line.close();
  });

  it('leaves a gateway whose last run with this profile passed alone ("passed earlier"), unless started with reprovision', async () => {
    const r = (current = rig());
    const at = new Date().toISOString();
    const earlier = (id: string, serial: string, sha256: string): RunRecord => ({
      id,
      device: { serial, port: `/ports/${serial}` },
      profile: { name: profile.profile.name, version: profile.profile.version, sha256 },
      station: { name: 'test' },
      variables: {},
      startedAt: at,
      endedAt: at,
      outcome: 'passed',
      steps: [],
      diagnostics: [],
    });
    r.lastRuns.set('GW1', earlier('5d7c1a52-0000-4000-8000-000000000001', 'GW1', profile.sha256));
    // Passed with another version of the profile's file: provisioned with this one.
    r.lastRuns.set('GW2', earlier('5d7c1a52-0000-4000-8000-000000000002', 'GW2', 'f'.repeat(64)));
    const slots = r.seen('line:slot');
    await r.line.start({ profilePath: PROFILE, variables: {} });
    r.watch.plug(port(1));
    r.watch.plug(port(2));
    await until(() => r.started.length === 1);
    expect(r.started[0]!.request.deviceId).toBe('serial:/ports/GW2');
    const gw1 = r.line.state().slots.find((s) => s.port === '/ports/GW1');
    expect(gw1).toMatchObject({ state: 'passed', previous: true, runId: '5d7c1a52-0000-4000-8000-000000000001', serial: 'GW1', outcome: 'passed' });
    expect(slots.find((s) => s.port === '/ports/GW1')).toMatchObject({ previous: true });
    expect(r.line.state().reprovision).toBeUndefined();
    await r.line.stop();
    expect(r.started).toHaveLength(1);

    // The technician asked for it: every gateway is provisioned again.
    const again = await r.line.start({ profilePath: PROFILE, variables: {}, reprovision: true });
    expect(again.reprovision).toBe(true);
    r.watch.plug(port(1));
    r.watch.plug(port(2));
    await until(() => r.started.length === 3);
    expect(r.started.slice(1).map((s) => s.request.deviceId).sort()).toEqual(['serial:/ports/GW1', 'serial:/ports/GW2']);
    expect(r.line.state().slots.some((s) => s.previous)).toBe(false);
    // reprovision is a rework that replaces the identity: before, it never reached the run, which refused the slot.
    expect(r.started.slice(1).map((s) => s.request.identityExisting)).toEqual(['replace', 'replace']);
    await r.line.stop();

    // A rework that keeps the identity: every gateway runs again with identity.existing keep, and the status says so.
    const keep = await r.line.start({ profilePath: PROFILE, variables: {}, rework: 'keep' });
    expect(keep.rework).toBe('keep');
    // The two gateways are still plugged in: the new session finds them.
    await until(() => r.started.length === 5);
    expect(r.started.slice(3).map((s) => [s.request.deviceId, s.request.identityExisting]).sort()).toEqual([
      ['serial:/ports/GW1', 'keep'],
      ['serial:/ports/GW2', 'keep'],
    ]);
    expect(r.audit.at(-1)).toBe('line.start');
  });

  it('runs a session as a front end asks (ports, station rules, a run count) and tells a subscriber every event with its port', async () => {
    const r = (current = rig({ printer: '10.0.0.9:9100' }));
    const seen: LineEvent[] = [];
    r.line.subscribe((e) => seen.push(e));
    // A subscriber's bug is the line's log line, not the end of the line (nor of the other subscribers).
    r.line.subscribe(() => {
      throw new Error('a front end bug');
    });
    await r.line.start({
      profilePath: PROFILE,
      profile,
      variables: {},
      ports: { usb: false, portsDir: false, paths: ['/ports/GW1', '/ports/GW2', '/ports/GW3'] },
      rules: { serialPattern: /^GW[12]$/ },
      maxRuns: 1,
    });
    expect(r.watched).toEqual([{ usb: false, portsDir: false, paths: ['/ports/GW1', '/ports/GW2', '/ports/GW3'], pollMs: undefined }]);
    r.line.scan('GW1');
    for (let i = 1; i <= 3; i += 1) r.watch.plug(port(i));
    await until(() => seen.some((e) => e.type === 'run-device'));
    // GW3 does not match the rules: no slot. One run at most: GW2 waits.
    expect(r.started).toHaveLength(1);
    expect(r.line.state().slots.map((s) => [s.port, s.state, s.queued ?? false])).toEqual([
      ['/ports/GW1', 'provisioning', false],
      ['/ports/GW2', 'provisioning', true],
    ]);
    const runId = r.started[0]!.options.runId!;
    r.events.emit('run:step', { runId, step: 'identify', state: 'running', startedAt: new Date().toISOString() });
    r.events.emit('run:step', { runId, step: 'identify', state: 'passed', startedAt: new Date().toISOString(), endedAt: new Date().toISOString() });
    const progress = { op: 'image upload', done: 10, total: 100, bytesPerSecond: 5, etaSeconds: 18 };
    r.events.emit('run:progress', { runId, step: 'firmware', ...progress });
    // Another run's steps (a clicked one) are not this session's.
    r.events.emit('run:step', { runId: '5d7c1a52-0000-4000-8000-00000000000f', step: 'identify', state: 'running', startedAt: new Date().toISOString() });
    r.started[0]!.end('passed');
    await until(() => seen.some((e) => e.type === 'label'));
    const ofRun = seen.filter((e) => e.type !== 'slot' && e.type !== 'scan');
    expect(ofRun.map((e) => e.type)).toEqual(['run-start', 'run-device', 'step', 'step', 'progress', 'run-end', 'label']);
    expect(ofRun[0]).toEqual({ type: 'run-start', port: '/ports/GW1', runId, bindings: { serial: 'GW1' } });
    expect(ofRun[1]).toEqual({ type: 'run-device', port: '/ports/GW1', runId, deviceId: 'serial:/ports/GW1' });
    expect(ofRun.slice(2, 4)).toEqual([
      { type: 'step', port: '/ports/GW1', runId, step: 'identify', state: 'running', error: undefined, message: undefined },
      { type: 'step', port: '/ports/GW1', runId, step: 'identify', state: 'passed', error: undefined, message: undefined },
    ]);
    expect(ofRun[4]).toEqual({ type: 'progress', port: '/ports/GW1', runId, step: 'firmware', progress });
    expect(ofRun[5]).toMatchObject({ type: 'run-end', port: '/ports/GW1', record: { id: runId, outcome: 'passed' } });
    expect(ofRun[6]).toEqual({ type: 'label', port: '/ports/GW1', runId, label: { target: 'printer:10.0.0.9:9100', bytes: 10 } });
    expect(seen.find((e) => e.type === 'scan')).toMatchObject({ scan: { slot: 'next', binding: { kind: 'serial', value: 'GW1' } } });
    // The run count is reached: GW2 is never started, and the next session watches the service's own ports again.
    expect(r.started).toHaveLength(1);
    await r.line.stop();
    for (let i = 1; i <= 3; i += 1) r.watch.unplug(`/ports/GW${i}`);
    await r.line.start({ profilePath: PROFILE, variables: {} });
    expect(r.watched.at(-1)).toEqual({ usb: true, portsDir: expect.any(String), paths: undefined, pollMs: undefined });
  });

  it('refuses a start the line could not run, before anything watches', async () => {
    const r = (current = rig());
    await expect(r.line.start({ profilePath: PROFILE, variables: { site: 'lowercase' } })).rejects.toMatchObject({ code: 'TEMPLATE_VARIABLE_INVALID' });
    expect(r.line.state().running).toBe(false);
    expect(r.audit).toEqual([]);
  });
});
