/** The sync queue: counts, online state, last sync and error, and what Sync now / Export bundle are doing. */
import { useStore } from 'zustand';
import { createStore } from 'zustand/vanilla';
import type { QueueStatus } from '../../../main/contract/api';

export interface BundleExport {
  readonly file?: string;
  readonly count: number;
  readonly remaining: number;
  readonly at: string;
}

export interface QueueState {
  readonly status: QueueStatus | undefined;
  readonly syncing: boolean;
  readonly exporting: boolean;
  readonly lastExport: BundleExport | undefined;
  setStatus(status: QueueStatus): void;
  setSyncing(on: boolean): void;
  setExporting(on: boolean): void;
  exported(result: Omit<BundleExport, 'at'>, at: string): void;
}

export function createQueueStore() {
  return createStore<QueueState>()((set) => ({
    status: undefined,
    syncing: false,
    exporting: false,
    lastExport: undefined,
    setStatus: (status) => set({ status }),
    setSyncing: (syncing) => set({ syncing }),
    setExporting: (exporting) => set({ exporting }),
    exported: (result, at) => set({ lastExport: { ...result, at } }),
  }));
}

export const queueStore = createQueueStore();

export function useQueue<T>(selector: (s: QueueState) => T): T {
  return useStore(queueStore, selector);
}
