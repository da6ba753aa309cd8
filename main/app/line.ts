/**
 * The zero-touch line inside the app: the station orchestrator (main/station/orchestrator.ts) started from the
 * Station screen with a profile, watching USB serial ports and the virtual gateways' ports directory as
 * `fieldline batch --ports auto` does. Each run goes through the app's own run manager, so a line run shows up in
 * Devices and in the run view exactly like a clicked one (same events, same log, same audit, same store).
 *
 * What the line adds on top of the orchestrator's slots: the device the run is on, the step under way and the run's
 * start and end (from the run manager's events), and the label printed after a pass when a printer is configured.
 * The KPIs and SPC charts of the session (and of the whole station today) are recomputed at most once per
 * `kpiIntervalMs` while runs end, and sent as `line:kpis`. Stopping (line:stop, or the app closing) cancels the runs
 * under way — they roll back — and waits for them.
 */
import { realpath } from 'node:fs/promises';
import type { LineKpisInfo, LineState, LineStatus, SlotInfo } from '../contract/line';
import { LINE_LIMITS } from '../contract/line';
import { FieldlineError } from '../errors';
import type { Logger } from '../log';
import type { LoadedProfile } from '../profiles/load';
import type { RunRecord } from '../contract/run-record';
import { checkVariables } from '../provisioning/runner';
import { defaultPortsDir } from '../transport/ports-dir';
import { createOrchestrator, type Orchestrator, type ScanBinding, type Slot } from '../station/orchestrator';
import { createPortWatch, type PortWatch } from '../station/port-watch';
import { previousFromStore } from '../station/previous';
import { combineWatches, createBleWatch } from './ble-watch';
import type { Store } from '../store/types';
import type { CaHolder } from './ca';
import type { DeviceDiscovery } from './devices';
import type { AppEvents } from './events';
import type { LabelService } from './labels';
import { lineFigures, slimRecord, todayRuns } from './line-kpis';
import type { ProfileLibrary } from './profiles';
import type { RunManager } from './runs';

export interface LineOptions {
  events: AppEvents;
  devices: DeviceDiscovery;
  runs: RunManager;
  profiles: ProfileLibrary;
  ca: CaHolder;
  store: Store;
  labels: LabelService;
  station: { name: string };
  /** The configured label printer: when set, every passing line run prints its label. */
  printer: () => string | undefined;
  logger: Logger;
  /** The simulator's ports directory (default `$FIELDLINE_PORTS_DIR` or `<tmp>/fieldline-ports`); false: none. */
  portsDir?: string | false;
  /** Watch USB serial ports (default true). */
  usb?: boolean;
  /** Port scan interval (default 500 ms). */
  pollMs?: number;
  /** KPIs are recomputed at most this often while runs end (default 1000 ms). */
  kpiIntervalMs?: number;
  /** A run whose port vanished is cancelled after this long (default: the orchestrator's 70 s). */
  goneAbortMs?: number;
  /** Injected for tests. */
  createWatch?: (options: { usb: boolean; portsDir: string | false; pollMs?: number; logger: Logger }) => PortWatch;
  now?: () => Date;
}

export interface LineStart {
  profilePath: string;
  concurrency?: number;
  variables: Record<string, string>;
  requireScan?: boolean;
  /** Bluetooth LE gateways too: scanned for continuously while the line runs (main/app/ble-watch.ts). */
  ble?: boolean;
  /** Provision again the gateways whose last run with this profile passed (default: they are left alone): rework replace. */
  reprovision?: boolean;
  /** A rework session: the gateways that passed before are provisioned again, their identity kept or replaced. */
  rework?: 'keep' | 'replace';
}

export interface LineService {
  state(): LineState;
  start(request: LineStart): Promise<LineState>;
  stop(): Promise<LineState>;
  scan(text: string, slot?: string): { slot: string; binding: ScanBinding };
  /** The configured printer changed: the status shows where labels go. */
  refresh(): void;
  close(): Promise<void>;
}

/** What the line knows of a slot's run beyond the orchestrator's slot. */
interface RunFacts {
  runId: string;
  deviceId?: string;
  currentStep?: SlotInfo['currentStep'];
  startedAt: string;
  endedAt?: string;
  label?: SlotInfo['label'];
}

interface Session {
  orchestrator: Orchestrator;
  profile: LoadedProfile;
  profilePath: string;
  concurrency: number;
  requireScan: boolean;
  ble: boolean;
  rework?: 'keep' | 'replace';
  variables: Record<string, string>;
  startedAt: string;
}

const DEFAULT_CONCURRENCY = 8;
/** Session records kept for the figures (slimmed); the oldest go first past this (a long shift on a 64-port hub). */
const SESSION_MAX_RECORDS = 10_000;

const clip = (text: string, max: number): string => (text.length > max ? text.slice(0, max) : text);

export function createLineService(options: LineOptions): LineService {
  const { events, devices, runs, store, logger } = options;
  const now = options.now ?? (() => new Date());
  const kpiIntervalMs = options.kpiIntervalMs ?? 1000;
  const portsDir = options.portsDir === undefined ? defaultPortsDir() : options.portsDir;
  const createWatch =
    options.createWatch ?? ((o: { usb: boolean; portsDir: string | false; pollMs?: number; logger: Logger }) => createPortWatch({ usb: o.usb, portsDir: o.portsDir, logger: o.logger, ...(o.pollMs ? { pollMs: o.pollMs } : {}) }));

  let session: Session | undefined;
  let stopping: Promise<void> | undefined;
  let closed = false;
  /** The orchestrator's slots, by port path (empty ones are dropped). */
  const slots = new Map<string, Slot>();
  const facts = new Map<string, RunFacts>();
  /** Line runs by id: the slot (port) each ran in, for the per-slot figures and the step events. */
  const slotOfRun = new Map<string, string>();
  const sessionRecords = new Map<string, RunRecord>();
  let figures: LineKpisInfo | undefined;
  let dirty = true;
  let kpiTimer: NodeJS.Timeout | undefined;
  let lastKpiAt = 0;

  const slotInfo = (slot: Slot): SlotInfo => {
    const f = slot.runId !== undefined ? facts.get(slot.port) : undefined;
    const run = f && f.runId === slot.runId ? f : undefined;
    return {
      port: clip(slot.port, 1024),
      state: slot.state,
      queued: slot.queued,
      gone: slot.gone,
      previous: slot.previous,
      source: slot.source,
      serialNumber: slot.serialNumber === undefined ? undefined : clip(slot.serialNumber, 200),
      runId: slot.runId,
      deviceId: run?.deviceId,
      serial: slot.serial === undefined ? undefined : clip(slot.serial, 200),
      outcome: slot.outcome,
      currentStep: slot.state === 'provisioning' ? run?.currentStep : undefined,
      failedStep: slot.failedStep === undefined ? undefined : clip(slot.failedStep, 64),
      error: slot.error ? { code: clip(slot.error.code, 64), message: clip(slot.error.message, 4000) } : undefined,
      startedAt: run?.startedAt,
      endedAt: run?.endedAt,
      bindings: slot.bindings,
      awaitingScan: slot.awaitingScan,
      label: run?.label,
    };
  };

  const emitSlot = (port: string): void => {
    const slot = slots.get(port);
    if (slot) events.emit('line:slot', slotInfo(slot));
  };

  const status = (): LineStatus => {
    const printer = options.printer();
    return {
      running: session !== undefined,
      stopping: stopping !== undefined,
      profile: session ? { path: session.profilePath, name: session.profile.profile.name, version: session.profile.profile.version } : undefined,
      concurrency: session?.concurrency ?? DEFAULT_CONCURRENCY,
      requireScan: session?.requireScan ?? false,
      ...(session?.ble ? { ble: true } : {}),
      ...(session?.rework ? { rework: session.rework, reprovision: true } : {}),
      variables: session?.variables ?? {},
      startedAt: session?.startedAt,
      pendingScans: (session?.orchestrator.pendingScans() ?? []).slice(-LINE_LIMITS.pendingScans),
      printer,
    };
  };

  const emitStatus = (): void => events.emit('line:status', status());

  const computeFigures = (): LineKpisInfo => {
    if (!figures || dirty) {
      const at = now();
      let todays: RunRecord[] = [];
      try {
        todays = todayRuns(store, at);
      } catch (err) {
        // The store being busy must not stop the line's own figures.
        logger.warn('reading today’s runs failed', { error: String(err) });
      }
      figures = lineFigures([...sessionRecords.values()], todays, (r) => slotOfRun.get(r.id) ?? r.device.port, at, session?.startedAt);
      dirty = false;
      lastKpiAt = Date.now();
    }
    return figures;
  };

  /** At most one `line:kpis` per interval: a burst of 64 runs ending together is one recomputation. */
  const scheduleKpis = (): void => {
    dirty = true;
    if (kpiTimer || closed) return;
    const wait = Math.max(0, lastKpiAt + kpiIntervalMs - Date.now());
    kpiTimer = setTimeout(() => {
      kpiTimer = undefined;
      try {
        events.emit('line:kpis', computeFigures());
      } catch (err) {
        logger.error('line figures failed', { error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
      }
    }, wait);
    kpiTimer.unref?.();
  };

  const state = (): LineState => ({ ...status(), slots: [...slots.values()].slice(0, LINE_LIMITS.slots).map(slotInfo), kpis: computeFigures() });

  /** The device in discovery behind a watched port: same path, else same device node (the ports directory's links), else added. */
  const deviceFor = async (path: string): Promise<{ id: string }> => {
    const present = devices.list().filter((d) => d.state !== 'gone');
    const same = present.find((d) => d.path === path);
    if (same) return same;
    const real = await realpath(path).catch(() => undefined);
    if (real !== undefined) {
      for (const d of present) {
        if ((await realpath(d.path).catch(() => undefined)) === real) return d;
      }
    }
    return devices.addPort(path);
  };

  const printAfterPass = async (port: string, runId: string): Promise<void> => {
    if (options.printer() === undefined) return;
    let label: SlotInfo['label'];
    try {
      const printed = await options.labels.print({ runId, via: 'line' });
      label = { target: clip(printed.target, 1024), bytes: printed.bytes };
    } catch (err) {
      const code = err instanceof FieldlineError ? err.code : 'INTERNAL';
      label = { error: { code, message: clip(err instanceof Error ? err.message : String(err), 4000) } };
      logger.warn('label after a passing run failed', { run: runId, error: String(err) });
    }
    const f = facts.get(port);
    if (f?.runId === runId) {
      f.label = label;
      emitSlot(port);
    }
  };

  const offAppEvents = [
    events.on('run:step', (step) => {
      const port = slotOfRun.get(step.runId);
      const f = port === undefined ? undefined : facts.get(port);
      if (!port || !f || f.runId !== step.runId || step.state !== 'running') return;
      f.currentStep = step.step;
      emitSlot(port);
    }),
  ];

  const startSession = (request: LineStart, profile: LoadedProfile): Session => {
    const concurrency = request.concurrency ?? DEFAULT_CONCURRENCY;
    // `reprovision` (older callers) is a rework that replaces the identity.
    const rework = request.rework ?? (request.reprovision ? 'replace' : undefined);
    const variables = { ...request.variables };
    const ports = createWatch({ usb: options.usb ?? true, portsDir, ...(options.pollMs ? { pollMs: options.pollMs } : {}), logger: logger.child('ports') });
    // A BLE gateway's slot is its address; it is "unplugged" when discovery stops hearing it.
    const watch = request.ble ? combineWatches([ports, createBleWatch({ devices, events, logger: logger.child('ble') })]) : ports;
    const orchestrator = createOrchestrator({
      watch,
      concurrency,
      profile: { name: profile.profile.name, version: profile.profile.version, sha256: profile.sha256 },
      station: options.station,
      variables,
      requireScan: request.requireScan ?? false,
      checkVariables: (v) => checkVariables(profile, options.station, v),
      // A gateway that passed with this profile (this session, an earlier one, or a click) is not provisioned twice,
      // unless this is a rework session.
      ...(rework ? {} : { previousResult: previousFromStore(store, { name: profile.profile.name, sha256: profile.sha256 }) }),
      ...(options.goneAbortMs !== undefined ? { goneAbortMs: options.goneAbortMs } : {}),
      logger: logger.child('orchestrator'),
      provision: async ({ port, runId, signal, variables: runVariables, expectedSerial }) => {
        const device = await deviceFor(port.path);
        const f = facts.get(port.path);
        if (f?.runId === runId) f.deviceId = device.id;
        await runs.start(
          { deviceId: device.id, profilePath: request.profilePath, variables: runVariables, ...(rework ? { identityExisting: rework } : {}) },
          { runId, signal, profile, auditAction: 'line.provision', ...(expectedSerial !== undefined ? { expectedSerial } : {}) },
        );
        emitSlot(port.path);
        return runs.finished(runId);
      },
    });
    orchestrator.on('run-start', ({ port, runId }) => {
      slotOfRun.set(runId, port);
      facts.set(port, { runId, startedAt: now().toISOString() });
    });
    orchestrator.on('slot', (slot) => {
      if (slot.state === 'empty') {
        slots.delete(slot.port);
        facts.delete(slot.port);
        events.emit('line:slot', slotInfo(slot));
        return;
      }
      slots.set(slot.port, slot);
      emitSlot(slot.port);
    });
    orchestrator.on('scan', () => emitStatus());
    orchestrator.on('run-end', ({ port, record }) => {
      // The run's final record, as the store saved it (or the orchestrator's record of a run that could not start).
      sessionRecords.set(record.id, slimRecord(record));
      for (const id of sessionRecords.keys()) {
        if (sessionRecords.size <= SESSION_MAX_RECORDS) break;
        sessionRecords.delete(id);
        slotOfRun.delete(id);
      }
      const f = facts.get(port);
      if (f?.runId === record.id) {
        f.endedAt = record.endedAt || now().toISOString();
        emitSlot(port);
      }
      if (record.outcome === 'passed') void printAfterPass(port, record.id);
      scheduleKpis();
      // The pending-scan list changed if the run took scans.
      emitStatus();
    });
    return { orchestrator, profile, profilePath: request.profilePath, concurrency, requireScan: request.requireScan ?? false, ble: request.ble ?? false, ...(rework ? { rework } : {}), variables, startedAt: now().toISOString() };
  };

  const stopSession = async (): Promise<void> => {
    const current = session;
    if (!current) return;
    stopping ??= (async () => {
      emitStatus();
      try {
        await current.orchestrator.stop();
      } finally {
        session = undefined;
        // A stopped line watches nothing: its slots say nothing any more.
        for (const port of [...slots.keys()]) {
          slots.delete(port);
          facts.delete(port);
          events.emit('line:slot', { port, state: 'empty' });
        }
        stopping = undefined;
        emitStatus();
      }
    })();
    await stopping;
  };

  return {
    state,
    async start(request) {
      if (closed) throw new FieldlineError('INVALID_ARGUMENT', 'the app is closing');
      if (session || stopping) throw new FieldlineError('LINE_RUNNING', session ? `with ${session.profile.profile.name} ${session.profile.profile.version}` : 'it is stopping');
      // The usual mistakes are this call's error, not a slot failing a second later on every gateway.
      const profile = await options.profiles.load(request.profilePath);
      await options.ca.signer();
      checkVariables(profile, options.station, request.variables);
      // No Bluetooth adapter (or no virtual gateways) is said now too: a short scan proves the radio works.
      if (request.ble) await devices.scanBle(500);
      if (session) throw new FieldlineError('LINE_RUNNING', 'started meanwhile');
      // A new session: new figures.
      sessionRecords.clear();
      slotOfRun.clear();
      const next = startSession(request, profile);
      session = next;
      dirty = true;
      try {
        await next.orchestrator.start();
      } catch (err) {
        session = undefined;
        await next.orchestrator.stop().catch(() => {});
        throw err;
      }
      store.appendAudit({
        actor: 'line',
        action: 'line.start',
        subject: options.station.name,
        details: { profile: `${profile.profile.name}@${profile.profile.version}`, concurrency: next.concurrency, requireScan: next.requireScan, ...(next.ble ? { ble: true } : {}), ...(next.rework ? { rework: next.rework } : {}) },
      });
      emitStatus();
      scheduleKpis();
      return state();
    },
    async stop() {
      // A second stop while the first is winding the runs down is the same stop: audited once.
      if (session && !stopping) {
        store.appendAudit({ actor: 'line', action: 'line.stop', subject: options.station.name, details: { runs: sessionRecords.size } });
      }
      await stopSession();
      return state();
    },
    scan(text, slot) {
      if (!session || stopping) throw new FieldlineError('LINE_NOT_RUNNING', 'a scan is bound to a slot of a running line');
      if (slot !== undefined && slot !== 'next' && !slots.has(slot)) throw new FieldlineError('INVALID_ARGUMENT', `no slot ${slot} on this line`);
      return session.orchestrator.bindScan(text, slot);
    },
    refresh: () => emitStatus(),
    async close() {
      closed = true;
      for (const off of offAppEvents) off();
      clearTimeout(kpiTimer);
      kpiTimer = undefined;
      await stopSession();
    },
  };
}
