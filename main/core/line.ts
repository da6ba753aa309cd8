/**
 * The zero-touch line: a session of the station orchestrator (main/core/line-session.ts, the one place it is wired)
 * started with a profile, from the Station screen or by `fieldline batch`, watching USB serial ports and the virtual
 * gateways' ports directory. Each run goes through the app's run manager, so a line run shows up in Devices and in
 * the run view exactly like a clicked one (same events, same log, same audit, same store).
 *
 * This file is the session's lifecycle — start (with the usual mistakes as the call's error), stop (the runs under
 * way are cancelled, roll back, and are waited for), scans, close — and the contract's events: the slots
 * (main/core/line-slots.ts), the label printed after a pass when a printer is configured (main/core/line-label.ts), and
 * the KPIs and SPC charts of the session and of the whole station today, recomputed at most once per
 * `kpiIntervalMs` while runs end (main/core/line-kpi-throttle.ts). A front end that renders the session itself (the
 * batch's text and JSON) subscribes to its events.
 */
import type { LineKpisInfo, LineState, LineStatus } from '../contract/line';
import { LINE_LIMITS } from '../contract/line';
import type { RunRecord } from '../contract/run-record';
import { FieldlineError } from '../errors';
import type { LoadedProfile } from '../profiles/load';
import { checkVariables } from '../provisioning/runner';
import { createPortWatch } from '../station/port-watch';
import { defaultPortsDir } from '../transport/ports-dir';
import type { LineEvent, LineOptions, LineService, LineStart } from './line-api';
import { createKpiThrottle } from './line-kpi-throttle';
import { lineFigures, slimRecord, todayRuns } from './line-kpis';
import { printPassLabel } from './line-label';
import { createLineSession, type CreateWatch, type LineSession, type LineSessionEvent, type LineWatchOptions } from './line-session';
import { createSlotBoard } from './line-slots';
import type { ProfileForRun } from './profiles';
import { auditUnreleased, type RunRelease } from './release-gate';

export type * from './line-api';

interface Session {
  line: LineSession;
  profile: LoadedProfile;
  release?: RunRelease;
  profilePath: string;
  concurrency: number;
  requireScan: boolean;
  ble: boolean;
  rework?: 'keep' | 'replace';
  variables: Record<string, string>;
  startedAt: string;
  /** Who started it (LineStart.actor): its audit entries name them, or `line` when nobody signed in. */
  actor?: string;
}

const DEFAULT_CONCURRENCY = 8;
/** Session records kept for the figures (slimmed); the oldest go first past this (a long shift on a 64-port hub). */
const SESSION_MAX_RECORDS = 10_000;

const defaultCreateWatch: CreateWatch = (o: LineWatchOptions) => createPortWatch(o);

export function createLineService(options: LineOptions): LineService {
  const { events, store, logger } = options;
  const now = options.now ?? (() => new Date());
  const portsDir = options.portsDir === undefined ? defaultPortsDir() : options.portsDir;
  const createWatch = options.createWatch ?? defaultCreateWatch;

  let session: Session | undefined;
  let stopping: Promise<void> | undefined;
  let closed = false;
  const board = createSlotBoard();
  const sessionRecords = new Map<string, RunRecord>();
  const listeners = new Set<(event: LineEvent) => void>();

  const tell = (event: LineEvent): void => {
    for (const listener of listeners) {
      try {
        listener(event);
      } catch (err) {
        // A front end's bug must not stop the line (nor the other front ends) from seeing the rest.
        logger.error('a line listener failed', { error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
      }
    }
  };

  const emitSlot = (port: string): void => {
    const info = board.infoOf(port);
    if (info) events.emit('line:slot', info);
  };

  const status = (): LineStatus => ({
    running: session !== undefined,
    stopping: stopping !== undefined,
    profile: session ? { path: session.profilePath, name: session.profile.profile.name, version: session.profile.profile.version } : undefined,
    concurrency: session?.concurrency ?? DEFAULT_CONCURRENCY,
    requireScan: session?.requireScan ?? false,
    ...(session?.ble ? { ble: true } : {}),
    ...(session?.rework ? { rework: session.rework, reprovision: true } : {}),
    variables: session?.variables ?? {},
    startedAt: session?.startedAt,
    pendingScans: (session?.line.orchestrator.pendingScans() ?? []).slice(-LINE_LIMITS.pendingScans),
    printer: options.printer(),
  });

  const emitStatus = (): void => events.emit('line:status', status());

  const kpis = createKpiThrottle<LineKpisInfo>({
    intervalMs: options.kpiIntervalMs ?? 1000,
    logger,
    send: (figures) => events.emit('line:kpis', figures),
    compute: () => {
      const at = now();
      let todays: RunRecord[] = [];
      try {
        todays = todayRuns(store, at);
      } catch (err) {
        // The store being busy must not stop the line's own figures.
        logger.warn('reading today’s runs failed', { error: String(err) });
      }
      return lineFigures([...sessionRecords.values()], todays, (r) => board.portOfRun(r.id) ?? r.device.port, at, session?.startedAt);
    },
  });

  const state = (): LineState => ({ ...status(), slots: board.list(), kpis: kpis.current() });

  /** Labels being printed: a stop waits for them, so none prints (reading the run from the store) after a close. */
  const printing = new Set<Promise<void>>();

  /** The label of a passing run, on the slot and to the subscribers. Never rejects: a printer's failure is the slot's label error. */
  const printLabel = async (port: string, runId: string): Promise<void> => {
    try {
      const label = await printPassLabel(options.labels, options.printer(), runId, logger, session?.actor);
      if (!label) return;
      if (board.setFact(port, runId, { label })) emitSlot(port);
      tell({ type: 'label', port, runId, label });
    } catch (err) {
      logger.error('label after a passing run failed', { run: runId, error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
    }
  };

  const printAfterPass = (port: string, runId: string): void => {
    const job = printLabel(port, runId);
    printing.add(job);
    void job.then(() => printing.delete(job));
  };

  /** What the line makes of each event of its session, before its subscribers see it. */
  const apply = (event: LineSessionEvent): void => {
    switch (event.type) {
      case 'slot':
        events.emit('line:slot', board.update(event.slot));
        break;
      case 'scan':
        emitStatus();
        break;
      case 'run-start':
        board.runStarted(event.port, event.runId, now().toISOString());
        break;
      case 'run-device':
        if (board.setFact(event.port, event.runId, { deviceId: event.deviceId })) emitSlot(event.port);
        break;
      case 'step':
        // A running step's message is not a new step: the slot already shows it.
        if (event.state === 'running' && event.message === undefined && board.setFact(event.port, event.runId, { currentStep: event.step })) emitSlot(event.port);
        break;
      case 'progress':
        // The app's run view takes progress from run:progress itself; only a front end rendering the line shows it.
        break;
      case 'run-end': {
        const { record } = event;
        sessionRecords.set(record.id, slimRecord(record));
        for (const id of sessionRecords.keys()) {
          if (sessionRecords.size <= SESSION_MAX_RECORDS) break;
          sessionRecords.delete(id);
          board.forgetRun(id);
        }
        if (board.setFact(event.port, record.id, { endedAt: record.endedAt || now().toISOString() })) emitSlot(event.port);
        if (record.outcome === 'passed') printAfterPass(event.port, record.id);
        kpis.changed();
        // The pending-scan list changed if the run took scans.
        emitStatus();
        break;
      }
    }
    tell(event);
  };

  const openSession = (request: LineStart, { profile, release }: ProfileForRun): Session => {
    const concurrency = request.concurrency ?? DEFAULT_CONCURRENCY;
    // `reprovision` (older callers) is a rework that replaces the identity.
    const rework = request.rework ?? (request.reprovision ? 'replace' : undefined);
    const variables = { ...request.variables };
    const requireScan = request.requireScan ?? false;
    const ble = request.ble ?? false;
    const line = createLineSession(
      { events, devices: options.devices, runs: options.runs, store, station: options.station, logger, createWatch, goneAbortMs: options.goneAbortMs },
      {
        profilePath: request.profilePath,
        profile,
        ...(release ? { release } : {}),
        concurrency,
        variables,
        requireScan,
        ble,
        rework,
        watch: { usb: request.ports?.usb ?? options.usb ?? true, portsDir: request.ports?.portsDir ?? portsDir, paths: request.ports?.paths, pollMs: options.pollMs },
        rules: request.rules,
        maxRuns: request.maxRuns,
        actor: request.actor,
      },
      apply,
    );
    return { line, profile, profilePath: request.profilePath, concurrency, requireScan, ble, rework, variables, startedAt: now().toISOString(), actor: request.actor };
  };

  const stopSession = async (): Promise<void> => {
    const current = session;
    if (!current) return;
    stopping ??= (async () => {
      emitStatus();
      try {
        await current.line.stop();
        await Promise.all([...printing]);
      } finally {
        session = undefined;
        // A stopped line watches nothing: its slots say nothing any more.
        for (const port of board.clear()) events.emit('line:slot', { port, state: 'empty' });
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
      // Through the release gate (a front end that brings its own profile passed it there: main/core/release-gate.ts).
      const loaded: ProfileForRun = request.profile
        ? { profile: request.profile, ...(request.release ? { release: request.release } : {}) }
        : await options.profiles.loadForRun(request.profilePath, { allowUnreleased: request.allowUnreleased ?? false });
      const { profile } = loaded;
      await options.ca.signer();
      checkVariables(profile, options.station, request.variables);
      // No Bluetooth adapter (or no virtual gateways) is said now too: a short scan proves the radio works.
      if (request.ble) await options.devices.scanBle(500);
      if (session) throw new FieldlineError('LINE_RUNNING', 'started meanwhile');
      // A new session: new figures.
      sessionRecords.clear();
      board.clearRuns();
      const next = openSession(request, loaded);
      session = next;
      kpis.changed();
      try {
        await next.line.orchestrator.start();
      } catch (err) {
        session = undefined;
        await next.line.stop().catch(() => {});
        throw err;
      }
      auditUnreleased(store, { actor: next.actor ?? 'line', profile, verdict: loaded, command: 'line:start' });
      store.appendAudit({
        actor: next.actor ?? 'line',
        action: 'line.start',
        subject: options.station.name,
        details: { profile: `${profile.profile.name}@${profile.profile.version}`, concurrency: next.concurrency, requireScan: next.requireScan, ...(next.ble ? { ble: true } : {}), ...(next.rework ? { rework: next.rework } : {}) },
      });
      emitStatus();
      return state();
    },
    async stop() {
      // A second stop while the first is winding the runs down is the same stop: audited once.
      if (session && !stopping) {
        store.appendAudit({ actor: session.actor ?? 'line', action: 'line.stop', subject: options.station.name, details: { runs: sessionRecords.size } });
      }
      await stopSession();
      return state();
    },
    scan(text, slot) {
      if (!session || stopping) throw new FieldlineError('LINE_NOT_RUNNING', 'a scan is bound to a slot of a running line');
      if (slot !== undefined && slot !== 'next' && !board.has(slot)) throw new FieldlineError('INVALID_ARGUMENT', `no slot ${slot} on this line`);
      return session.line.orchestrator.bindScan(text, slot);
    },
    stopSlot(port, actor) {
      if (!session || stopping) throw new FieldlineError('LINE_NOT_RUNNING', 'a slot is stopped on a running line');
      session.line.orchestrator.stopSlot(port);
      store.appendAudit({ actor: actor ?? session.actor ?? 'line', action: 'line.slot-stop', subject: port, details: {} });
      return state();
    },
    startSlot(port, actor) {
      if (!session || stopping) throw new FieldlineError('LINE_NOT_RUNNING', 'a slot is started on a running line');
      const before = board.infoOf(port)?.state;
      session.line.orchestrator.startSlot(port);
      store.appendAudit({ actor: actor ?? session.actor ?? 'line', action: 'line.slot-start', subject: port, details: { after: before ?? 'unknown' } });
      return state();
    },
    refresh: () => emitStatus(),
    subscribe(listener) {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
    async close() {
      closed = true;
      kpis.close();
      await stopSession();
    },
  };
}
