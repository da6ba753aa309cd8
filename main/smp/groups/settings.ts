/** Settings group (3): values are byte strings on the wire; their type is known only to the client. */
import type { SmpClient } from '../client';
import { GROUP } from '../error-codes';
import { bytesField } from '../fields';

const G = GROUP.SETTINGS;

export async function readSetting(client: SmpClient, name: string, maxSize?: number): Promise<Uint8Array> {
  return bytesField(await client.read(G, 0, { name, max_size: maxSize }), 'val', `setting ${name}`);
}

export async function writeSetting(client: SmpClient, name: string, value: Uint8Array): Promise<void> {
  await client.write(G, 0, { name, val: value });
}

export async function deleteSetting(client: SmpClient, name: string): Promise<void> {
  await client.write(G, 1, { name });
}

/** Applies written values (the device's commit handlers run). */
export async function commitSettings(client: SmpClient): Promise<void> {
  await client.write(G, 2);
}

/** Reloads values from persistent storage. */
export async function loadSettings(client: SmpClient): Promise<void> {
  await client.read(G, 3);
}

/** Persists the current values so they survive a reboot. */
export async function saveSettings(client: SmpClient): Promise<void> {
  await client.write(G, 3, {}, { timeoutMs: 10_000 });
}
