/**
 * The line's slot view model: the orchestrator's slots (one per watched port) with what the line knows of each
 * slot's run beyond them — the device it runs on, the step under way, its start and end, the label printed after a
 * pass — turned into the contract's SlotInfo, bounded so that text from a device or a port fits the schema.
 * State only: the line service decides when to send a slot (main/core/line.ts).
 */
import type { SlotInfo } from '../contract/line';
import { LINE_LIMITS } from '../contract/line';
import type { Slot } from '../station/orchestrator';

/** What the line knows of a slot's run beyond the orchestrator's slot. */
interface RunFacts {
  runId: string;
  deviceId?: string;
  currentStep?: SlotInfo['currentStep'];
  startedAt: string;
  endedAt?: string;
  label?: SlotInfo['label'];
}

export interface SlotBoard {
  /** The slot as the contract sends it. */
  info(slot: Slot): SlotInfo;
  /** The slot's current info, if the port has a slot. */
  infoOf(port: string): SlotInfo | undefined;
  /** The orchestrator's new slot: kept, or dropped with its facts when the port emptied. */
  update(slot: Slot): SlotInfo;
  has(port: string): boolean;
  list(): SlotInfo[];
  runStarted(port: string, runId: string, startedAt: string): void;
  /** Sets a fact of the port's run if that run is still the slot's; false when it is not (the slot moved on). */
  setFact(port: string, runId: string, fact: Partial<Omit<RunFacts, 'runId'>>): boolean;
  /** The port a line run ran in (for the per-slot figures and the step events). */
  portOfRun(runId: string): string | undefined;
  forgetRun(runId: string): void;
  /** Empties every slot (the line stopped); returns the ports that had one. */
  clear(): string[];
  /** A new session: no run is known any more. */
  clearRuns(): void;
}

const clip = (text: string, max: number): string => (text.length > max ? text.slice(0, max) : text);

export function createSlotBoard(): SlotBoard {
  /** The orchestrator's slots, by port path (empty ones are dropped). */
  const slots = new Map<string, Slot>();
  const facts = new Map<string, RunFacts>();
  const slotOfRun = new Map<string, string>();

  const info = (slot: Slot): SlotInfo => {
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
      location: slot.location === undefined ? undefined : clip(slot.location, 128),
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

  return {
    info,
    infoOf(port) {
      const slot = slots.get(port);
      return slot ? info(slot) : undefined;
    },
    update(slot) {
      if (slot.state === 'empty') {
        slots.delete(slot.port);
        facts.delete(slot.port);
      } else {
        slots.set(slot.port, slot);
      }
      return info(slot);
    },
    has: (port) => slots.has(port),
    list: () => [...slots.values()].slice(0, LINE_LIMITS.slots).map(info),
    runStarted(port, runId, startedAt) {
      slotOfRun.set(runId, port);
      facts.set(port, { runId, startedAt });
    },
    setFact(port, runId, fact) {
      const f = facts.get(port);
      if (f?.runId !== runId) return false;
      Object.assign(f, fact);
      return true;
    },
    portOfRun: (runId) => slotOfRun.get(runId),
    forgetRun: (runId) => void slotOfRun.delete(runId),
    clear() {
      const ports = [...slots.keys()];
      slots.clear();
      facts.clear();
      return ports;
    },
    clearRuns: () => slotOfRun.clear(),
  };
}
