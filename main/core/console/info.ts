/** OS info, MCUmgr params and bootloader info: what the device says it is. Each is optional on a Zephyr build. */
import { CONSOLE_LIMITS, type ConsoleInfo } from '../../contract/console';
import { LIMITS } from '../../contract/bounds';
import type { GatewaySession } from '../../device/session';
import { bootloaderInfo, info, params } from '../../smp/groups/os';
import { SmpError, SmpGroupError } from '../../smp/smp-error';
import { deviceName, deviceText } from './text';

/** The answer, or null when the device refused the command (a build without it); a lost link still throws. */
async function optional<T>(read: () => Promise<T>): Promise<T | null> {
  try {
    return await read();
  } catch (err) {
    if (err instanceof SmpError || err instanceof SmpGroupError) return null;
    throw err;
  }
}

export async function readInfo(session: GatewaySession): Promise<ConsoleInfo> {
  const { client } = session;
  const os = await optional(() => info(client, 'a'));
  const buffers = await optional(() => params(client));
  const boot = await optional(() => bootloaderInfo(client));
  return {
    os: os === null ? null : deviceText(os, Math.min(LIMITS.text, CONSOLE_LIMITS.outputChars)).text,
    params: buffers,
    bootloader:
      boot === null
        ? null
        : {
            ...(boot.bootloader !== undefined ? { name: deviceName(boot.bootloader, LIMITS.name) } : {}),
            ...(boot.mode !== undefined ? { mode: boot.mode } : {}),
          },
  };
}
