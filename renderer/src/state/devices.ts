/**
 * The gateways the station sees, kept by id with a sorted id list. The list component subscribes to `order` only
 * (it changes when a device appears or vanishes); each row subscribes to its own entry, so a state change
 * re-renders one row, never the list.
 */
import { useStore } from 'zustand';
import { createStore } from 'zustand/vanilla';
import type { Device, DeviceState } from '../../../main/contract/api';

export interface DeviceEntry extends Device {
  /**
   * The row's stable key for tests and people: the serial known when the device first appeared, else its path.
   * It does not change while the device stays attached (the serial `identify` reads later is shown, not keyed).
   */
  readonly key: string;
}

export interface DeviceStatePayload {
  readonly id: string;
  readonly state: DeviceState;
  readonly serial?: string;
  readonly lastRunId?: string;
}

export interface DevicesState {
  readonly byId: Readonly<Record<string, DeviceEntry>>;
  /** Ids, sorted by path (ttyACM2 before ttyACM10). */
  readonly order: readonly string[];
  readonly loaded: boolean;
  /** provision:start calls under way, by device id (the button shows it and is not pressed twice). */
  readonly starting: Readonly<Record<string, true>>;
  setAll(devices: readonly Device[]): void;
  attached(device: Device): void;
  detached(id: string): void;
  stateChanged(change: DeviceStatePayload): void;
  setStarting(id: string, on: boolean): void;
}

const collator = new Intl.Collator('en', { numeric: true });

function sortIds(byId: Readonly<Record<string, DeviceEntry>>): string[] {
  return Object.keys(byId).sort((a, b) => collator.compare(byId[a]?.path ?? a, byId[b]?.path ?? b) || collator.compare(a, b));
}

function entry(device: Device, known: DeviceEntry | undefined): DeviceEntry {
  return { ...device, key: known?.key ?? device.serial ?? device.path };
}

export function createDevicesStore() {
  return createStore<DevicesState>()((set) => ({
    byId: {},
    order: [],
    loaded: false,
    starting: {},
    setAll: (devices) =>
      set((s) => {
        const byId: Record<string, DeviceEntry> = {};
        for (const d of devices) byId[d.id] = entry(d, s.byId[d.id]);
        return { byId, order: sortIds(byId), loaded: true };
      }),
    attached: (device) =>
      set((s) => {
        const byId = { ...s.byId, [device.id]: entry(device, s.byId[device.id]) };
        return s.byId[device.id] ? { byId } : { byId, order: sortIds(byId) };
      }),
    detached: (id) =>
      set((s) => {
        if (!s.byId[id]) return s;
        const byId = { ...s.byId };
        delete byId[id];
        const starting = { ...s.starting };
        delete starting[id];
        return { byId, order: s.order.filter((x) => x !== id), starting };
      }),
    stateChanged: ({ id, state, serial, lastRunId }) =>
      set((s) => {
        const known = s.byId[id];
        if (!known) return s;
        const next: DeviceEntry = { ...known, state, ...(serial !== undefined ? { serial } : {}), ...(lastRunId !== undefined ? { lastRunId } : {}) };
        return { byId: { ...s.byId, [id]: next } };
      }),
    setStarting: (id, on) =>
      set((s) => {
        if (on === Boolean(s.starting[id])) return s;
        const starting = { ...s.starting };
        if (on) starting[id] = true;
        else delete starting[id];
        return { starting };
      }),
  }));
}

export const devicesStore = createDevicesStore();

export function useDevices<T>(selector: (s: DevicesState) => T): T {
  return useStore(devicesStore, selector);
}

/** One device's entry: re-renders only when that device changes. */
export function useDevice(id: string): DeviceEntry | undefined {
  return useStore(devicesStore, (s) => s.byId[id]);
}
