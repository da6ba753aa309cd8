/**
 * The gateways the station sees, kept by id with a sorted id list. The list component subscribes to `order` only
 * (it changes when a device appears or vanishes); each row subscribes to its own entry, so a state change
 * re-renders one row, never the list.
 */
import { useStore } from 'zustand';
import { createStore } from 'zustand/vanilla';
import type { BleAdapter, Device, DeviceState, ErrorInfo } from '../../../main/contract/api';

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

/** The Bluetooth scan as the Devices screen shows it: under way, its last answer, or why it could not run. */
export interface BleScanView {
  readonly scanning: boolean;
  readonly last?: { readonly at: string; readonly count: number; readonly adapter: BleAdapter };
  readonly error?: ErrorInfo;
}

export interface DevicesState {
  readonly byId: Readonly<Record<string, DeviceEntry>>;
  /** Ids: USB/serial ports by path (ttyACM2 before ttyACM10), then Bluetooth gateways by name. */
  readonly order: readonly string[];
  readonly loaded: boolean;
  /** provision:start calls under way, by device id (the button shows it and is not pressed twice). */
  readonly starting: Readonly<Record<string, true>>;
  readonly bleScan: BleScanView;
  setAll(devices: readonly Device[]): void;
  attached(device: Device): void;
  detached(id: string): void;
  stateChanged(change: DeviceStatePayload): void;
  setStarting(id: string, on: boolean): void;
  /** A BLE gateway's new signal strength (device:rssi): one entry replaced, the id list untouched. */
  rssiChanged(change: { readonly id: string; readonly rssi: number }): void;
  bleScanStarted(): void;
  bleScanDone(outcome: { readonly count: number; readonly adapter: BleAdapter; readonly at: string } | { readonly error: ErrorInfo }): void;
}

const collator = new Intl.Collator('en', { numeric: true });

// USB first (they are on the bench), then BLE; a BLE gateway by its advertised name, which is what its label says.
const group = (d: DeviceEntry | undefined): number => (d?.transport === 'ble' ? 1 : 0);
const sortName = (d: DeviceEntry | undefined, id: string): string => (d ? (d.transport === 'ble' ? (d.name ?? d.path) : d.path) : id);

function sortIds(byId: Readonly<Record<string, DeviceEntry>>): string[] {
  return Object.keys(byId).sort(
    (a, b) => group(byId[a]) - group(byId[b]) || collator.compare(sortName(byId[a], a), sortName(byId[b], b)) || collator.compare(a, b),
  );
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
    bleScan: { scanning: false },
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
    rssiChanged: ({ id, rssi }) =>
      set((s) => {
        const known = s.byId[id];
        if (!known || known.rssi === rssi) return s;
        return { byId: { ...s.byId, [id]: { ...known, rssi } } };
      }),
    bleScanStarted: () => set((s) => ({ bleScan: { scanning: true, ...(s.bleScan.last ? { last: s.bleScan.last } : {}) } })),
    bleScanDone: (outcome) =>
      set((s) =>
        'error' in outcome
          ? { bleScan: { scanning: false, ...(s.bleScan.last ? { last: s.bleScan.last } : {}), error: outcome.error } }
          : { bleScan: { scanning: false, last: { at: outcome.at, count: outcome.count, adapter: outcome.adapter } } },
      ),
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
