/**
 * Settings group (3), after Zephyr's settings_mgmt.c. Two layers, as on the device: the runtime values the
 * application holds in RAM (what read and write touch) and the saved values in storage (what save writes and load
 * and every boot restore). A value written but not saved is gone after a reboot, exactly as on Zephyr.
 */
import { GROUP } from '../../smp/error-codes';
import type { Body, SimReply } from '../handler';
import type { DeviceContext } from './context';
import { defineGroup, groupErrors, ok, optBytes, optUint, smpError, text, type DeviceGroupHandler } from './request';

const err = groupErrors(GROUP.SETTINGS);

/** CONFIG_MCUMGR_GRP_SETTINGS_NAME_LEN: a name of this many bytes or more is KEY_TOO_LONG (so at most 64). */
export const SETTINGS_NAME_LEN = 65;
/** CONFIG_MCUMGR_GRP_SETTINGS_VALUE_LEN: the device's read buffer, and the largest value its handler stores. */
export const SETTINGS_VALUE_LEN = 256;

export interface SettingsGroup {
  handler: DeviceGroupHandler;
  /** The runtime values, for tests and for the device's own code. */
  runtime(): ReadonlyMap<string, Uint8Array>;
}

export function createSettingsGroup(device: DeviceContext): SettingsGroup {
  let runtime = new Map(device.state.savedSettings());

  /** Name checks every command shares: present and non-empty (else EINVAL), short enough (else KEY_TOO_LONG). */
  function checkedName(body: Body): string | SimReply {
    const name = text(body, 'name');
    if (name.length === 0) return smpError('EINVAL', 'name is empty');
    if (Buffer.byteLength(name, 'utf8') >= SETTINGS_NAME_LEN) return err('KEY_TOO_LONG');
    return name;
  }

  function read(body: Body): SimReply {
    const name = checkedName(body);
    if (typeof name !== 'string') return name;
    let maxSize = optUint(body, 'max_size') ?? SETTINGS_VALUE_LEN;
    const limited = maxSize > SETTINGS_VALUE_LEN;
    if (limited) maxSize = SETTINGS_VALUE_LEN;
    const value = runtime.get(name);
    if (!value) return err('KEY_NOT_FOUND');
    // The handler copies at most max_size bytes into the read buffer.
    return ok({ val: value.subarray(0, maxSize), ...(limited ? { max_size: SETTINGS_VALUE_LEN } : {}) });
  }

  function write(body: Body): SimReply {
    const name = checkedName(body);
    if (typeof name !== 'string') return name;
    // Zephyr decodes `val` as optional: a write without it stores an empty value.
    const val = optBytes(body, 'val') ?? new Uint8Array(0);
    if (val.length > SETTINGS_VALUE_LEN) return smpError('EINVAL', `value longer than ${SETTINGS_VALUE_LEN} bytes`);
    runtime.set(name, val.slice());
    return ok();
  }

  /** settings_delete removes the stored value; the handler also forgets its runtime copy, so a read says so. */
  async function remove(body: Body): Promise<SimReply> {
    const name = checkedName(body);
    if (typeof name !== 'string') return name;
    const saved = device.state.savedSettings();
    if (!runtime.has(name) && !saved.has(name)) return err('KEY_NOT_FOUND');
    runtime.delete(name);
    if (saved.has(name)) {
      const next = new Map(saved);
      next.delete(name);
      await device.state.saveSettings(next);
    }
    return ok();
  }

  const handler = defineGroup({
    group: GROUP.SETTINGS,
    name: 'settings mgmt',
    commands: {
      0: { read: ({ body }) => read(body), write: ({ body }) => write(body) },
      1: { write: ({ body }) => remove(body) },
      // settings_commit tells handlers to apply what they hold; runtime values here are always applied.
      2: { write: () => ok() },
      3: {
        // settings_load: stored values are handed to the handlers again, over whatever they hold.
        read: () => {
          runtime = new Map([...runtime, ...device.state.savedSettings()]);
          return ok();
        },
        // settings_save: every handler exports what it holds now.
        write: async () => {
          await device.state.saveSettings(runtime);
          return ok();
        },
      },
    },
    onBoot: () => {
      runtime = new Map(device.state.savedSettings());
    },
  });
  return { handler, runtime: () => runtime };
}
