/**
 * The factory line (Station screen): whether it runs and with what, its slots (one per watched port, fed by
 * `line:slot`), the figures (`line:kpis`), the scans waiting for a gateway, the slot a technician chose for the next
 * scan, the last scan's answer, and labels printed from this window. The line's start choice (profile, concurrency,
 * scan required) is the technician's; its variables are the batch variables of the Devices screen.
 */
import { useStore } from 'zustand';
import { createStore } from 'zustand/vanilla';
import type { ErrorInfo, LabelPrint, LineKpisInfo, LineState, LineStatus, ScanBindingInfo, SlotInfo } from '../../../main/contract/api';

export interface LineChoice {
  /** Undefined: the batch profile of the Devices screen. */
  readonly profilePath: string | undefined;
  readonly concurrency: number;
  readonly requireScan: boolean;
  /** Bluetooth LE gateways heard by the line's scans join it too. */
  readonly ble: boolean;
  /**
   * A rework session: gateways that passed before with this profile are provisioned again, their identity kept
   * (verified) or replaced; undefined: a first-pass session (they show "passed earlier").
   */
  readonly rework: 'keep' | 'replace' | undefined;
}

export interface ScanAnswer {
  readonly text: string;
  readonly at: string;
  /** Accepted: where it went and what it bound. */
  readonly slot?: string;
  readonly binding?: ScanBindingInfo;
  /** Refused: why, in the contract's words. */
  readonly error?: ErrorInfo;
}

export interface LineSliceState {
  readonly status: LineStatus | undefined;
  /** Slots by port path, and the ports in display order (by port, numbers in their natural order). */
  readonly slots: Readonly<Record<string, SlotInfo>>;
  readonly order: readonly string[];
  readonly kpis: LineKpisInfo | undefined;
  readonly choice: LineChoice;
  readonly starting: boolean;
  readonly stopping: boolean;
  /** The slot the next scan binds to; undefined: the next gateway plugged in. */
  readonly target: string | undefined;
  readonly lastScan: ScanAnswer | undefined;
  readonly scanning: boolean;
  /** Labels printed from this window, by run id (the run view then offers Reprint). */
  readonly labels: Readonly<Record<string, LabelPrint>>;
  readonly printing: Readonly<Record<string, true>>;
  setLine(state: LineState): void;
  setStatus(status: LineStatus): void;
  slotChanged(slot: SlotInfo): void;
  setKpis(kpis: LineKpisInfo): void;
  choose(choice: Partial<LineChoice>): void;
  setStarting(on: boolean): void;
  setStopping(on: boolean): void;
  /** Chooses the slot for the next scan; choosing the chosen one again goes back to "next". */
  toggleTarget(port: string | undefined): void;
  setScanning(on: boolean): void;
  scanned(answer: ScanAnswer): void;
  setPrinting(runId: string, on: boolean): void;
  printed(label: LabelPrint): void;
}

export const DEFAULT_CONCURRENCY = 8;

const collator = new Intl.Collator(undefined, { numeric: true });

export function slotOrder(ports: Iterable<string>): string[] {
  return [...ports].sort((a, b) => collator.compare(a, b));
}

export function createLineStore() {
  return createStore<LineSliceState>()((set) => ({
    status: undefined,
    slots: {},
    order: [],
    kpis: undefined,
    choice: { profilePath: undefined, concurrency: DEFAULT_CONCURRENCY, requireScan: false, ble: false, rework: undefined },
    starting: false,
    stopping: false,
    target: undefined,
    lastScan: undefined,
    scanning: false,
    labels: {},
    printing: {},
    setLine: (line) =>
      set((s) => {
        const { slots: list, kpis, ...status } = line;
        const slots: Record<string, SlotInfo> = {};
        for (const slot of list) if (slot.state !== 'empty') slots[slot.port] = slot;
        return { status, slots, order: slotOrder(Object.keys(slots)), kpis, target: s.target && slots[s.target] ? s.target : undefined };
      }),
    setStatus: (status) => set({ status }),
    slotChanged: (slot) =>
      set((s) => {
        if (slot.state === 'empty') {
          if (!s.slots[slot.port]) return s;
          const slots = { ...s.slots };
          delete slots[slot.port];
          return { slots, order: s.order.filter((p) => p !== slot.port), target: s.target === slot.port ? undefined : s.target };
        }
        const known = Boolean(s.slots[slot.port]);
        const slots = { ...s.slots, [slot.port]: slot };
        // Only a new slot changes the order: a state change re-renders that one card alone.
        return known ? { slots } : { slots, order: slotOrder(Object.keys(slots)) };
      }),
    setKpis: (kpis) => set({ kpis }),
    choose: (choice) => set((s) => ({ choice: { ...s.choice, ...choice } })),
    setStarting: (starting) => set({ starting }),
    setStopping: (stopping) => set({ stopping }),
    toggleTarget: (port) => set((s) => ({ target: port === undefined || s.target === port ? undefined : port })),
    setScanning: (scanning) => set({ scanning }),
    scanned: (lastScan) => set({ lastScan }),
    setPrinting: (runId, on) =>
      set((s) => {
        const printing = { ...s.printing };
        if (on) printing[runId] = true;
        else delete printing[runId];
        return { printing };
      }),
    printed: (label) => set((s) => ({ labels: { ...s.labels, [label.runId]: label } })),
  }));
}

export const lineStore = createLineStore();

export function useLine<T>(selector: (s: LineSliceState) => T): T {
  return useStore(lineStore, selector);
}

/** One slot: re-renders only when that slot changes. */
export function useSlot(port: string): SlotInfo | undefined {
  return useStore(lineStore, (s) => s.slots[port]);
}
