/**
 * The scans waiting for a gateway: bound to a chosen slot (a port path) or to `next`, the next gateway to start.
 * Pure bookkeeping for the orchestrator, which decides when a gateway starts and takes its bindings from here.
 *
 * Which scanned serial a starting gateway takes, in this order:
 *   1. the serial scanned for its own slot (a new scan for a chosen slot replaces the one before);
 *   2. a `next` serial equal to the serial number its USB descriptor reports (a virtual gateway's link name) —
 *      when a board announces its serial, the label that names it belongs to it, whatever order the scans came in;
 *   3. the oldest `next` serial that names no other waiting gateway (that one is kept for its own board).
 * Variables: every `next` variable, then its own slot's (a slot's own scan wins over a general one), later scans
 * over earlier ones. Everything taken is removed.
 */
import { sameSerial, type ScanBinding } from './scan';

export const NEXT_SLOT = 'next';

export interface PendingScan {
  slot: string;
  binding: ScanBinding;
  at: string;
}

export interface SlotBindings {
  serial?: string;
  variables?: Record<string, string>;
}

/** A gateway waiting for its run: its port path and the serial its port reports, if any. */
export interface Waiting {
  path: string;
  serialNumber?: string;
}

export interface ScanBook {
  /** Records a scan; a serial scanned again moves to the new slot (a double read of one label is one scan). */
  add(slot: string, binding: ScanBinding, at: string): void;
  list(): PendingScan[];
  /** What is bound to this slot itself (not `next`): for showing on a waiting slot. */
  ownBindings(slot: string): SlotBindings | undefined;
  /** The serial `gateway` would take now, if any (`waiting`: every gateway waiting, in plug-in order). */
  serialFor(gateway: Waiting, waiting: readonly Waiting[]): PendingScan | undefined;
  /** Takes (removes) the gateway's serial and variables. */
  take(gateway: Waiting, waiting: readonly Waiting[]): SlotBindings;
}

export function createScanBook(): ScanBook {
  let pending: PendingScan[] = [];

  const serialFor = (gateway: Waiting, waiting: readonly Waiting[]): PendingScan | undefined => {
    const serials = pending.filter((p) => p.binding.kind === 'serial');
    const own = serials.filter((p) => p.slot === gateway.path).at(-1);
    if (own) return own;
    const next = serials.filter((p) => p.slot === NEXT_SLOT);
    const mine = gateway.serialNumber;
    const named = mine === undefined ? undefined : next.find((p) => sameSerial(p.binding.value, mine));
    if (named) return named;
    const others = waiting.filter((w) => w.path !== gateway.path && w.serialNumber !== undefined);
    return next.find((p) => !others.some((w) => sameSerial(p.binding.value, w.serialNumber as string)));
  };

  return {
    add(slot, binding, at) {
      if (binding.kind === 'serial') {
        // A chosen slot holds one serial: a new scan for it corrects the last one.
        const replaced = (p: PendingScan): boolean =>
          p.binding.kind === 'serial' && (sameSerial(p.binding.value, binding.value) || (slot !== NEXT_SLOT && p.slot === slot));
        pending = pending.filter((p) => !replaced(p));
      } else pending = pending.filter((p) => !(p.slot === slot && p.binding.kind === 'variable' && p.binding.name === binding.name));
      pending.push({ slot, binding, at });
    },
    list: () => pending.map((p) => ({ ...p, binding: { ...p.binding } })),
    ownBindings(slot) {
      const own = pending.filter((p) => p.slot === slot);
      if (own.length === 0) return undefined;
      const serial = own.filter((p) => p.binding.kind === 'serial').at(-1)?.binding.value;
      const variables = variablesOf(own);
      return { ...(serial !== undefined ? { serial } : {}), ...(Object.keys(variables).length ? { variables } : {}) };
    },
    serialFor,
    take(gateway, waiting) {
      const serial = serialFor(gateway, waiting);
      const variables = variablesOf([...pending.filter((p) => p.slot === NEXT_SLOT), ...pending.filter((p) => p.slot === gateway.path)]);
      const taken = (p: PendingScan): boolean => p === serial || (p.binding.kind === 'variable' && (p.slot === NEXT_SLOT || p.slot === gateway.path));
      pending = pending.filter((p) => !taken(p));
      return { ...(serial ? { serial: serial.binding.value } : {}), ...(Object.keys(variables).length ? { variables } : {}) };
    },
  };
}

/** The variables of `scans`, in order (a later scan of a name wins). */
function variablesOf(scans: readonly PendingScan[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of scans) if (p.binding.kind === 'variable') out[p.binding.name] = p.binding.value;
  return out;
}
