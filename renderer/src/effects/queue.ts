/** Queue & sync: status, the records that wait, Sync now, Export bundle. */
import { queueStore } from '../state/queue';
import { api } from './api';
import { call } from './call';

/** How many waiting records the Queue screen lists (the counts above it say how many there are in all). */
export const QUEUE_LIST_SHOWN = 100;

export async function loadQueue(): Promise<void> {
  const result = await call('Read the queue', api().invoke['queue:status']());
  if (result.ok) queueStore.getState().setStatus(result.value);
}

/** Which records wait for the registry, oldest first (the Queue screen reads it again whenever the queue's state changes). */
export async function loadWaiting(): Promise<void> {
  const result = await call('List the queue', api().invoke['queue:list']({ limit: QUEUE_LIST_SHOWN }));
  if (result.ok) queueStore.getState().setWaiting(result.value);
}

export async function syncNow(): Promise<void> {
  const queue = queueStore.getState();
  if (queue.syncing) return;
  queue.setSyncing(true);
  try {
    const result = await call('Sync now', api().invoke['queue:sync-now']());
    if (result.ok) queueStore.getState().setStatus(result.value);
  } finally {
    queueStore.getState().setSyncing(false);
  }
}

export async function exportBundle(now: () => Date = () => new Date()): Promise<void> {
  const queue = queueStore.getState();
  if (queue.exporting) return;
  queue.setExporting(true);
  try {
    const result = await call('Export bundle', api().invoke['queue:export-bundle']());
    if (result.ok) queueStore.getState().exported(result.value, now().toISOString());
  } finally {
    queueStore.getState().setExporting(false);
  }
  await loadQueue();
}
