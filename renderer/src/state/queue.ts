/** The sync queue: counts, online state, last sync and error, the records that wait, and what Sync now / Export bundle are doing. */
import { useStore } from 'zustand';
import { createStore } from 'zustand/vanilla';
import type { QueueStatus } from '../../../main/contract/api';
import type { QueueList } from '../../../main/contract/queue';

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
  /** Which records wait (queue:list): the first QUEUE_LIST_SHOWN of them, and how many in all. */
  readonly waiting: QueueList | undefined;
  setStatus(status: QueueStatus): void;
  setWaiting(waiting: QueueList): void;
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
    waiting: undefined,
    setStatus: (status) => set({ status }),
    setWaiting: (waiting) => set({ waiting }),
    setSyncing: (syncing) => set({ syncing }),
    setExporting: (exporting) => set({ exporting }),
    exported: (result, at) => set({ lastExport: { ...result, at } }),
  }));
}

export const queueStore = createQueueStore();

export function useQueue<T>(selector: (s: QueueState) => T): T {
  return useStore(queueStore, selector);
}
