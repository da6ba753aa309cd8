/** OS group (0): echo, reset, MCUmgr parameters, application info, bootloader info, date-time, task stats. */
import type { SmpClient } from '../client';
import { GROUP } from '../error-codes';
import { intField, mapField, mapValue, optionalBool, textField, uintField } from '../fields';
import type { DeviceBuffers } from '../upload';

const G = GROUP.OS;

export async function echo(client: SmpClient, text: string): Promise<string> {
  // A write by SMP's definition, but it changes nothing: safe to send again.
  return textField(await client.write(G, 0, { d: text }, { idempotent: true }), 'r', 'echo');
}

/** Asks the device to reboot; it answers first, then goes quiet for the reboot. */
export async function reset(client: SmpClient, options: { force?: boolean } = {}): Promise<void> {
  await client.write(G, 5, options.force ? { force: 1 } : {}, { retries: 0 });
}

export async function params(client: SmpClient): Promise<DeviceBuffers> {
  const body = await client.read(G, 6);
  return { bufSize: uintField(body, 'buf_size', 'MCUmgr params'), bufCount: uintField(body, 'buf_count', 'MCUmgr params') };
}

/** Application info (like `uname`); `format` letters as Zephyr's os_mgmt: s n r v b m p i o a. */
export async function info(client: SmpClient, format?: string): Promise<string> {
  return textField(await client.read(G, 7, format ? { format } : {}), 'output', 'OS info');
}

export interface BootloaderInfo {
  bootloader?: string;
  mode?: number;
  noDowngrade?: boolean;
}

export async function bootloaderInfo(client: SmpClient, query?: string): Promise<BootloaderInfo> {
  const body = await client.read(G, 8, query ? { query } : {});
  const out: BootloaderInfo = {};
  if (body.bootloader !== undefined) out.bootloader = textField(body, 'bootloader', 'bootloader info');
  if (body.mode !== undefined) out.mode = intField(body, 'mode', 'bootloader info');
  const nd = optionalBool(body, 'no-downgrade', 'bootloader info');
  if (nd !== undefined) out.noDowngrade = nd;
  return out;
}

export async function getDatetime(client: SmpClient): Promise<string> {
  return textField(await client.read(G, 4), 'datetime', 'datetime');
}

export async function setDatetime(client: SmpClient, datetime: string): Promise<void> {
  await client.write(G, 4, { datetime });
}

export interface TaskStat {
  name: string;
  prio: number;
  state: number;
  stackUse: number;
  stackSize: number;
}

export async function taskStats(client: SmpClient): Promise<TaskStat[]> {
  const tasks = mapField(await client.read(G, 2), 'tasks', 'task stats');
  return Object.entries(tasks).map(([name, v]) => {
    const t = mapValue(v, `task ${name}`);
    return {
      name,
      prio: uintField(t, 'prio', `task ${name}`),
      state: uintField(t, 'state', `task ${name}`),
      stackUse: uintField(t, 'stkuse', `task ${name}`),
      stackSize: uintField(t, 'stksiz', `task ${name}`),
    };
  });
}
