/** The always-visible strip: online, queue size, active runs, operator, CA; the app's version; the link to the station. */
import { useStore } from 'zustand';
import { createStore } from 'zustand/vanilla';
import type { StationStatus } from '../../../main/contract/api';
import type { ConnectionState } from '../bridge/web';

export interface StationState {
  readonly status: StationStatus | undefined;
  readonly app: { readonly name: string; readonly version: string } | undefined;
  /** The web bridge's WebSocket ('open' in Electron). */
  readonly connection: ConnectionState;
  setStatus(status: StationStatus): void;
  setApp(app: { name: string; version: string }): void;
  setConnection(connection: ConnectionState): void;
}

export function createStationStore() {
  return createStore<StationState>()((set) => ({
    status: undefined,
    app: undefined,
    connection: 'open',
    setStatus: (status) => set({ status }),
    setApp: (app) => set({ app }),
    setConnection: (connection) => set({ connection }),
  }));
}

export const stationStore = createStationStore();

export function useStation<T>(selector: (s: StationState) => T): T {
  return useStore(stationStore, selector);
}
