/**
 * The station orchestrator: zero-touch provisioning of every matching gateway that is plugged in.
 *
 * - Ports come from a PortWatch (hot-plug); a port matches the station's rules (USB VID/PID list — any USB port
 *   with a VID when the list is empty —, serial-number pattern; virtual gateways from the ports directory and
 *   fixed ports match by default).
 * - Each port is a slot: empty → provisioning (queued while the concurrency limit is reached) → passed / failed,
 *   or remove-me when the run ended without a verdict (cancelled, or it could not start). A slot holding a result
 *   is never provisioned again: only unplugging (slot → empty) and plugging a gateway in starts a new run — and
 *   not even that for a gateway that passed before, when previousResult (the station's store) says so: its slot is
 *   `passed` with `previous` at once, across line restarts too, and it is no run of this orchestrator.
 * - A port that vanishes mid-run is left to the run (a rebooting USB device re-enumerates); the run notices
 *   (`interrupted`), and if it does not end by itself within goneAbortMs it is cancelled. The slot is empty after.
 * - Every run has its own session and error boundary: a throw ends that run only.
 * - stop() cancels the running runs, drops the queue and waits for the runs to end.
 * - Barcode scans (main/station/scan.ts) bind a serial or a batch variable to a chosen slot or to the next gateway
 *   to start (main/station/scan-gate.ts checks them, scan-book.ts says which scan a gateway takes). A run gets the
 *   scanned variables over the batch's, and the scanned serial as the serial the device must report. With
 *   requireScan a gateway waits (queued, awaitingScan) until a serial is bound to it: for lines whose serials come
 *   from the label.
 */
import { randomUUID } from 'node:crypto';
import { FieldlineError } from '../errors';
import { silentLogger } from '../log';
import type { RunRecord } from '../contract/run-record';
import { portFields, type Orchestrator, type OrchestratorEvents, type OrchestratorOptions, type PreviousResult, type Slot, type SlotState } from './orchestrator-api';
import type { WatchedPort } from './port-watch';
import { matchesRules } from './rules';
import type { SlotBindings } from './scan-book';
import { createScanGate } from './scan-gate';

export type { Orchestrator, OrchestratorEvents, OrchestratorOptions, PreviousResult, ProvisionFn, RunEnd, RunStart, Slot, SlotState } from './orchestrator-api';
export { NEXT_SLOT, type PendingScan, type SlotBindings } from './scan-book';
export type { ScanBinding } from './scan';
export { matchesRules, type StationRules } from './rules';

interface Active {
  controller: AbortController;
  done: Promise<void>;
  goneTimer?: NodeJS.Timeout;
}

function errorOf(err: unknown): { code: string; message: string } {
  if (err instanceof FieldlineError) return { code: err.code, message: err.message };
  return { code: 'INTERNAL', message: err instanceof Error ? err.message : String(err) };
}

/** What every slot of a present port says of it. */
export function createOrchestrator(options: OrchestratorOptions): Orchestrator {
  const logger = options.logger ?? silentLogger;
  const concurrency = options.concurrency ?? 8;
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new FieldlineError('INVALID_ARGUMENT', `concurrency must be a positive integer, not ${concurrency}`);
  const goneAbortMs = options.goneAbortMs ?? 70_000;
  const listeners: { [E in keyof OrchestratorEvents]: Set<OrchestratorEvents[E]> } = { slot: new Set(), scan: new Set(), 'run-start': new Set(), 'run-end': new Set() };
  const slots = new Map<string, Slot>();
  const ports = new Map<string, WatchedPort>();
  const queue: string[] = [];
  const active = new Map<string, Active>();
  const requireScan = options.requireScan ?? false;
  const scans = createScanGate({
    requireScan,
    ...(options.variables ? { variables: options.variables } : {}),
    ...(options.checkVariables ? { checkVariables: options.checkVariables } : {}),
    running: () => active.keys(),
    slot: (path) => slots.get(path),
  });
  const unsubscribe: Array<() => void> = [];
  let started = 0;
  let stopping = false;
  let idleWaiters: Array<() => void> = [];

  const emit = <E extends keyof OrchestratorEvents>(event: E, value: Parameters<OrchestratorEvents[E]>[0]): void => {
    for (const l of listeners[event]) {
      try {
        (l as (v: typeof value) => void)(value);
      } catch (err) {
        logger.error('orchestrator listener failed', { event, error: String(err) });
      }
    }
  };

  const setSlot = (port: string, next: Slot): void => {
    slots.set(port, next);
    emit('slot', { ...next });
  };

  const checkIdle = (): void => {
    if (active.size > 0 || queue.length > 0) return;
    const waiters = idleWaiters;
    idleWaiters = [];
    for (const w of waiters) w();
  };

  const canStart = (): boolean => !stopping && active.size < concurrency && (options.maxRuns === undefined || started < options.maxRuns);

  /** The gateways waiting in the queue, in plug-in order (what a `next` scan may go to). */
  const waiting = (): WatchedPort[] => queue.map((path) => ports.get(path)).filter((p): p is WatchedPort => p !== undefined);

  /** Re-announces the waiting slots whose scan state changed (a scan arrived, another gateway took one). */
  const refreshQueued = (): void => {
    const all = waiting();
    for (const port of all) {
      const next = scans.queuedSlot(port, all);
      const current = slots.get(port.path);
      if (!current || JSON.stringify(current) !== JSON.stringify(next)) setSlot(port.path, next);
    }
  };

  const pump = (): void => {
    for (let i = 0; i < queue.length && canStart(); ) {
      const path = queue[i] as string;
      const port = ports.get(path);
      if (!port) {
        queue.splice(i, 1);
        continue;
      }
      // Without its scan a gateway waits, and the ones behind it may go first.
      const others = waiting();
      if (!scans.ready(port, others)) {
        i += 1;
        continue;
      }
      const bindings = scans.take(port, others);
      queue.splice(i, 1);
      startRun(port, bindings);
    }
    if (requireScan) refreshQueued();
    checkIdle();
  };

  /** Queues a present gateway for a run: the way in for one just plugged in, and for the operator's Start or Retry. */
  const enqueue = (port: WatchedPort): void => {
    queue.push(port.path);
    setSlot(port.path, scans.queuedSlot(port, waiting()));
    pump();
  };

  /** After a gateway left the queue: a `next` serial kept for it (its USB serial) is free for the others now. */
  const leftQueue = (): void => {
    if (requireScan) pump();
    else checkIdle();
  };

  const runVariables = (bindings: SlotBindings): Record<string, string> => ({ ...(options.variables ?? {}), ...(bindings.variables ?? {}) });

  const syntheticRecord = (port: WatchedPort, runId: string, err: unknown, startedAt: string, bindings: SlotBindings): RunRecord => ({
    id: runId,
    device: { serial: port.serialNumber ?? '', port: port.path },
    profile: options.profile ?? { name: '', version: '', sha256: '' },
    station: options.station ?? { name: '' },
    variables: runVariables(bindings),
    startedAt,
    endedAt: new Date().toISOString(),
    outcome: 'failed',
    steps: [],
    diagnostics: [],
    error: errorOf(err),
  });

  function startRun(port: WatchedPort, bindings: SlotBindings): void {
    const runId = randomUUID();
    const controller = new AbortController();
    const hasBindings = bindings.serial !== undefined || bindings.variables !== undefined;
    started += 1;
    setSlot(port.path, { port: port.path, state: 'provisioning', ...portFields(port), runId, ...(hasBindings ? { bindings } : {}) });
    emit('run-start', { port: port.path, runId });
    const startedAt = new Date().toISOString();
    const entry: Active = { controller, done: Promise.resolve() };
    active.set(port.path, entry);
    entry.done = (async () => {
      let record: RunRecord;
      let synthetic = false;
      try {
        record = await options.provision({
          port,
          runId,
          signal: controller.signal,
          variables: runVariables(bindings),
          ...(bindings.serial !== undefined ? { expectedSerial: bindings.serial } : {}),
        });
      } catch (err) {
        // This run's fault stays with this run.
        logger.warn('run failed to complete', { port: port.path, error: String(err) });
        record = syntheticRecord(port, runId, err, startedAt, bindings);
        synthetic = true;
      }
      if (entry.goneTimer) clearTimeout(entry.goneTimer);
      active.delete(port.path);
      const stillThere = ports.has(port.path);
      const failedStep = record.steps.find((s) => s.outcome === 'failed')?.name;
      const verdict: SlotState = !stillThere ? 'empty' : record.outcome === 'passed' ? 'passed' : record.outcome === 'failed' ? 'failed' : 'remove-me';
      if (verdict === 'empty') setSlot(port.path, { port: port.path, state: 'empty', outcome: record.outcome, runId });
      else {
        setSlot(port.path, {
          port: port.path,
          state: verdict,
          ...portFields(port),
          runId,
          ...(hasBindings ? { bindings } : {}),
          ...(record.device.serial ? { serial: record.device.serial } : {}),
          outcome: record.outcome,
          ...(failedStep ? { failedStep } : {}),
          ...(record.error ? { error: record.error } : {}),
        });
      }
      emit('run-end', { port: port.path, record, synthetic });
      if (!stillThere) slots.delete(port.path);
      pump();
    })();
  }

  /** The gateway's earlier passing run, if the station knows one (a failed lookup provisions it). */
  const passedBefore = (port: WatchedPort): PreviousResult | undefined => {
    try {
      const earlier = options.previousResult?.(port);
      return earlier?.outcome === 'passed' ? earlier : undefined;
    } catch (err) {
      logger.warn('looking up the gateway’s earlier runs failed: it is provisioned', { port: port.path, error: String(err) });
      return undefined;
    }
  };

  const onAttached = (port: WatchedPort): void => {
    if (stopping) return;
    const slot = slots.get(port.path);
    const running = active.get(port.path);
    ports.set(port.path, port);
    if (running) {
      // Back during its run (a re-enumerating reboot): the run goes on.
      if (running.goneTimer) clearTimeout(running.goneTimer);
      running.goneTimer = undefined;
      if (slot) setSlot(port.path, { ...slot, gone: false });
      return;
    }
    if (slot && slot.state !== 'empty') return;
    if (!matchesRules(port, options.rules)) {
      logger.debug('port does not match the station rules', { port: port.path });
      return;
    }
    const earlier = passedBefore(port);
    if (earlier) {
      const serial = earlier.serial ? { serial: earlier.serial } : {};
      setSlot(port.path, { port: port.path, state: 'passed', ...portFields(port), runId: earlier.runId, ...serial, outcome: 'passed', previous: true });
      return;
    }
    enqueue(port);
  };

  const onDetached = (port: WatchedPort): void => {
    ports.delete(port.path);
    const running = active.get(port.path);
    if (running) {
      const slot = slots.get(port.path);
      if (slot) setSlot(port.path, { ...slot, gone: true });
      running.goneTimer ??= setTimeout(() => running.controller.abort(), goneAbortMs);
      return;
    }
    const queued = queue.indexOf(port.path);
    if (queued >= 0) queue.splice(queued, 1);
    if (slots.has(port.path)) {
      setSlot(port.path, { port: port.path, state: 'empty' });
      slots.delete(port.path);
    }
    leftQueue();
  };

  return {
    async start() {
      unsubscribe.push(options.watch.on('attached', onAttached), options.watch.on('detached', onDetached));
      for (const port of options.watch.list()) onAttached(port);
      await options.watch.start();
    },
    async stop() {
      stopping = true;
      for (const off of unsubscribe.splice(0)) off();
      options.watch.stop();
      for (const path of queue.splice(0)) {
        const slot = slots.get(path);
        if (slot) setSlot(path, { port: path, state: 'empty' });
      }
      for (const a of active.values()) a.controller.abort();
      await Promise.all([...active.values()].map((a) => a.done));
      checkIdle();
    },
    slots: () => [...slots.values()].map((s) => ({ ...s })),
    on(event, listener) {
      listeners[event].add(listener);
      return () => void listeners[event].delete(listener);
    },
    get started() {
      return started;
    },
    idle() {
      if (active.size === 0 && queue.length === 0) return Promise.resolve();
      return new Promise((resolve) => idleWaiters.push(resolve));
    },
    bindScan(raw, slot) {
      const scan = scans.bind(raw, slot);
      emit('scan', scan);
      if (queue.length > 0) {
        pump();
        // With requireScan, pump() has refreshed the waiting slots already.
        if (!requireScan) refreshQueued();
      }
      return { slot: scan.slot, binding: scan.binding };
    },
    pendingScans: () => scans.list(),
    stopSlot(path) {
      const slot = slots.get(path);
      if (!slot) throw new FieldlineError('SLOT_NOT_FOUND', `no slot ${path} on this line`);
      const running = active.get(path);
      if (running) return void running.controller.abort();
      const queued = queue.indexOf(path);
      if (queued < 0) return;
      queue.splice(queued, 1);
      const port = ports.get(path);
      setSlot(path, { port: path, state: 'remove-me', ...(port ? portFields(port) : {}), outcome: 'cancelled' });
      leftQueue();
    },
    startSlot(path) {
      const slot = slots.get(path);
      const port = ports.get(path);
      if (!slot || !port || stopping) throw new FieldlineError('SLOT_NOT_FOUND', `no gateway in slot ${path}`);
      if (active.has(path) || queue.includes(path) || (slot.state !== 'failed' && slot.state !== 'remove-me')) {
        throw new FieldlineError('SLOT_BUSY', `slot ${path} is ${slot.state === 'passed' ? 'passed' : 'provisioning'}`);
      }
      enqueue(port);
    },
  };
}
