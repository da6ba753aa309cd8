/**
 * The station orchestrator's types (main/station/orchestrator.ts, which re-exports them all): its slots, the runs it
 * starts and ends, its events and options, and its interface.
 */
import type { Logger } from '../log';
import type { RunRecord } from '../contract/run-record';
import type { PortWatch, WatchedPort } from './port-watch';
import type { StationRules } from './rules';
import type { ScanBinding } from './scan';
import type { PendingScan, SlotBindings } from './scan-book';

export type SlotState = 'empty' | 'provisioning' | 'passed' | 'failed' | 'remove-me';

export interface Slot {
  port: string;
  state: SlotState;
  source?: WatchedPort['source'];
  serialNumber?: string;
  /** Where the port is plugged in (WatchedPort.location): what a fixture label is looked up by. */
  location?: string;
  /** Waiting for a free run (concurrency limit), or for a scan (awaitingScan). */
  queued?: boolean;
  /** requireScan: waiting until a serial is scanned for this gateway. */
  awaitingScan?: boolean;
  /** Scans bound to this slot: waiting ones while queued, the ones its run took once it started. */
  bindings?: SlotBindings;
  /** The port vanished while its run was still ending. */
  gone?: boolean;
  /** Passed in an earlier run (previousResult), which runId names: not provisioned again. */
  previous?: boolean;
  runId?: string;
  /** The device serial, once the run identified it. */
  serial?: string;
  outcome?: RunRecord['outcome'];
  failedStep?: string;
  error?: { code: string; message: string };
}

/** What a slot shows of its port: where the gateway came from and the serial number it reports, if any. */
export const portFields = (port: WatchedPort): Pick<Slot, 'source' | 'serialNumber' | 'location'> => ({
  source: port.source,
  ...(port.serialNumber ? { serialNumber: port.serialNumber } : {}),
  ...(port.location ? { location: port.location } : {}),
});

export interface RunStart {
  port: WatchedPort;
  runId: string;
  signal: AbortSignal;
  /** The orchestrator's variables with the scanned ones over them. */
  variables: Record<string, string>;
  /** The serial scanned from the board's label: the device must report this one. */
  expectedSerial?: string;
}

/** One provisioning run (runProvisioning in production, a fake in tests). */
export type ProvisionFn = (run: RunStart) => Promise<RunRecord>;

export interface RunEnd {
  port: string;
  record: RunRecord;
  /** True when the orchestrator made the record (the run threw before it had one). */
  synthetic: boolean;
}

/** What the station knows of the gateway on a port from before: its last run with this profile. */
export interface PreviousResult {
  runId: string;
  outcome: RunRecord['outcome'];
  serial: string;
}

export interface OrchestratorEvents {
  slot: (slot: Slot) => void;
  /** A scan was accepted (bound to `slot`, a port path or 'next'). */
  scan: (scan: PendingScan) => void;
  'run-start': (run: { port: string; runId: string }) => void;
  'run-end': (end: RunEnd) => void;
}

export interface OrchestratorOptions {
  watch: PortWatch;
  provision: ProvisionFn;
  rules?: StationRules;
  /** Runs at once (default 8); the rest wait in plug-in order. */
  concurrency?: number;
  /** Start at most this many runs (a batch of N units); unlimited when absent. */
  maxRuns?: number;
  /** A run whose port vanished is cancelled if it has not ended after this long (default 70 s). */
  goneAbortMs?: number;
  /** For the synthetic record of a run that could not start. */
  profile?: RunRecord['profile'];
  station?: RunRecord['station'];
  variables?: Record<string, string>;
  /** Every new gateway waits for a serial scan before its run starts. */
  requireScan?: boolean;
  /**
   * Checks batch variables (the profile's declarations and patterns) so that a scanned variable the profile would
   * refuse is refused at the scan, not later as a failed run. Throws a FieldlineError.
   */
  checkVariables?: (variables: Record<string, string>) => void;
  /**
   * Consulted when a matching port attaches. A gateway whose previous run passed is not provisioned again: its slot
   * goes straight to `passed` (previous, that run's id) and counts toward nothing (no run of this orchestrator).
   * Anything else — failed, cancelled, nothing known, a throw — is provisioned as usual.
   */
  previousResult?: (port: WatchedPort) => PreviousResult | undefined;
  logger?: Logger;
}

export interface Orchestrator {
  start(): Promise<void>;
  /** Cancels the running runs, drops the queue, stops watching; resolves when every run has ended. */
  stop(): Promise<void>;
  slots(): Slot[];
  on<E extends keyof OrchestratorEvents>(event: E, listener: OrchestratorEvents[E]): () => void;
  /** Runs started so far. */
  readonly started: number;
  /** Resolves when nothing runs and nothing waits (a gateway awaiting its scan waits). */
  idle(): Promise<void>;
  /**
   * Binds a scan to `slot` (a port path) or, without one, to the next gateway to start (returned slot 'next').
   * Throws SCAN_INVALID for a scan that cannot be used, SCAN_SLOT_BUSY when the chosen slot is running.
   */
  bindScan(raw: string, slot?: string): { slot: string; binding: ScanBinding };
  /** Scans not yet taken by a run, in scan order. */
  pendingScans(): PendingScan[];
  /**
   * The operator's Stop on one slot: its run is cancelled (it rolls back; the slot ends remove-me), or it leaves the
   * queue (remove-me, outcome cancelled). A slot that is not running is left as it is. SLOT_NOT_FOUND without one.
   */
  stopSlot(port: string): void;
  /**
   * The operator's Start (or Retry) on one slot whose gateway is still plugged in and whose run ended without passing
   * (failed, or remove-me): it is queued again like a gateway just plugged in. SLOT_NOT_FOUND without a present
   * gateway; SLOT_BUSY while it runs or waits, or once it passed (provisioning it again is rework).
   */
  startSlot(port: string): void;
}
