/**
 * The gateways ticked on the Devices screen for Provision selected (issue #17: a flashing tool's several-at-once).
 * Kept apart from the device list so a tick re-renders the ticked row and the toolbar, not the list. A device that
 * vanishes or starts a run leaves the selection: what is ticked is always what the next click provisions.
 */
import { useStore } from 'zustand';
import { createStore } from 'zustand/vanilla';
import type { DeviceEntry } from './devices';

export interface SelectionState {
  readonly ids: Readonly<Record<string, true>>;
  toggle(id: string, on: boolean): void;
  /** Ticks exactly these (Select all ready). */
  setAll(ids: readonly string[]): void;
  /** Unticks these (they started, or vanished). */
  drop(ids: readonly string[]): void;
}

/** A gateway Provision may start now: not running, not unplugged, not already being started. */
export function selectable(device: Pick<DeviceEntry, 'state'> | undefined, starting: boolean): boolean {
  return device !== undefined && device.state !== 'provisioning' && device.state !== 'gone' && !starting;
}

/** The ticked ids still selectable, in the list's order (the order the runs are asked for). */
export function toProvision(order: readonly string[], ids: Readonly<Record<string, true>>, byId: Readonly<Record<string, Pick<DeviceEntry, 'state'>>>, starting: Readonly<Record<string, true>>): string[] {
  return order.filter((id) => ids[id] && selectable(byId[id], Boolean(starting[id])));
}

export function createSelectionStore() {
  return createStore<SelectionState>()((set) => ({
    ids: {},
    toggle: (id, on) =>
      set((s) => {
        if (Boolean(s.ids[id]) === on) return s;
        const ids = { ...s.ids };
        if (on) ids[id] = true;
        else delete ids[id];
        return { ids };
      }),
    setAll: (list) => set({ ids: Object.fromEntries(list.map((id) => [id, true as const])) }),
    drop: (list) =>
      set((s) => {
        if (!list.some((id) => s.ids[id])) return s;
        const ids = { ...s.ids };
        for (const id of list) delete ids[id];
        return { ids };
      }),
  }));
}

export const selectionStore = createSelectionStore();

export function useSelection<T>(selector: (s: SelectionState) => T): T {
  return useStore(selectionStore, selector);
}
