/**
 * The orchestrator's scan side: the checks on a new scan (a running slot's label cannot change any more, a label
 * being provisioned on another slot is not bound twice, a scanned variable the profile would refuse is refused at
 * the scan), whether a waiting gateway may start (with requireScan only once a serial is bound to it), what a
 * waiting slot shows of its scans, and the scans a gateway takes as its run starts. The scans themselves are kept
 * by the scan book (scan-book.ts); when gateways start is the orchestrator's business.
 */
import { FieldlineError } from '../errors';
import { portFields, type Slot } from './orchestrator-api';
import type { WatchedPort } from './port-watch';
import { parseScan, sameSerial } from './scan';
import { createScanBook, NEXT_SLOT, type PendingScan, type SlotBindings } from './scan-book';

export interface ScanGateOptions {
  /** Every new gateway waits for a serial scan before its run starts. */
  requireScan: boolean;
  /** The orchestrator's variables (a scanned one is checked over them). */
  variables?: Record<string, string>;
  /** Throws a FieldlineError for batch variables the profile would refuse. */
  checkVariables?: (variables: Record<string, string>) => void;
  /** The port paths with a run under way. */
  running: () => Iterable<string>;
  /** The orchestrator's slot on a port, if any. */
  slot: (path: string) => Slot | undefined;
}

export interface ScanGate {
  /**
   * Checks `raw` and records it for `slot` (a port path) or for the next gateway to start (`next`, also without a
   * slot). Throws SCAN_INVALID for a scan that cannot be used, SCAN_SLOT_BUSY when the chosen slot is running.
   */
  bind(raw: string, slot?: string): PendingScan;
  /** Scans not yet taken by a run, in scan order. */
  list(): PendingScan[];
  /** The gateway may start now: no scan is required, or a serial is bound to it (`waiting`: the queue, in order). */
  ready(port: WatchedPort, waiting: readonly WatchedPort[]): boolean;
  /** Takes (removes) the scans the gateway's run gets, as it starts. */
  take(port: WatchedPort, waiting: readonly WatchedPort[]): SlotBindings;
  /** A waiting slot as it is now: still awaiting its scan or not, and the scans bound to it so far. */
  queuedSlot(port: WatchedPort, waiting: readonly WatchedPort[]): Slot;
}

export function createScanGate(options: ScanGateOptions): ScanGate {
  const book = createScanBook();
  const ready = (port: WatchedPort, waiting: readonly WatchedPort[]): boolean => !options.requireScan || book.serialFor(port, waiting) !== undefined;

  return {
    bind(raw, slot) {
      const binding = parseScan(raw);
      const target = slot === undefined || slot === NEXT_SLOT ? NEXT_SLOT : slot;
      const running = [...options.running()];
      if (target !== NEXT_SLOT) {
        if (target.trim() === '' || target.length > 4096) throw new FieldlineError('INVALID_ARGUMENT', 'a scan is bound to a port path, or to the next gateway');
        if (running.includes(target)) {
          throw new FieldlineError('SCAN_SLOT_BUSY', `${target} is already provisioning ${options.slot(target)?.serial ?? 'a gateway'}; its label cannot change now`);
        }
      }
      if (binding.kind === 'serial') {
        // A label scanned twice (a double read, or once more after plugging in) must not wait for a second board.
        for (const path of running) {
          const bound = options.slot(path)?.bindings?.serial;
          if (bound !== undefined && sameSerial(bound, binding.value)) {
            throw new FieldlineError('SCAN_INVALID', `the label ${binding.value} is already bound to ${path}, which is provisioning it`);
          }
        }
      } else {
        options.checkVariables?.({ ...(options.variables ?? {}), [binding.name]: binding.value });
      }
      const at = new Date().toISOString();
      book.add(target, binding, at);
      return { slot: target, binding: { ...binding }, at };
    },
    list: () => book.list(),
    ready,
    take: (port, waiting) => book.take(port, waiting),
    queuedSlot(port, waiting) {
      const bindings = book.ownBindings(port.path);
      return {
        port: port.path,
        state: 'provisioning',
        queued: true,
        ...(ready(port, waiting) ? {} : { awaitingScan: true }),
        ...portFields(port),
        ...(bindings ? { bindings } : {}),
      };
    },
  };
}
