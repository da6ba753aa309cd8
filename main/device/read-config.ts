/**
 * Reads back what a profile configures — each setting and each file — from a device, as bytes. Used to verify a
 * configuration step, for the settings-hash diagnostic, and by `drift`. A setting or file the device does not
 * have is `undefined`, not an error.
 */
import { isGroupError } from '../smp/smp-error';
import { GROUP } from '../smp/error-codes';
import { readSetting } from '../smp/groups/settings';
import { downloadFile } from '../smp/groups/fs';
import type { GatewaySession } from './session';

export interface DeviceConfiguration {
  settings: Map<string, Uint8Array | undefined>;
  files: Map<string, Uint8Array | undefined>;
}

export async function readSettingOrAbsent(session: GatewaySession, name: string): Promise<Uint8Array | undefined> {
  try {
    return await readSetting(session.client, name);
  } catch (err) {
    if (isGroupError(err, GROUP.SETTINGS, 'KEY_NOT_FOUND')) return undefined;
    throw err;
  }
}

export async function readFileOrAbsent(session: GatewaySession, path: string): Promise<Uint8Array | undefined> {
  try {
    return await downloadFile(session.client, path);
  } catch (err) {
    if (isGroupError(err, GROUP.FS, 'FILE_NOT_FOUND')) return undefined;
    throw err;
  }
}

export async function readConfiguration(session: GatewaySession, settingNames: string[], filePaths: string[]): Promise<DeviceConfiguration> {
  const settings = new Map<string, Uint8Array | undefined>();
  for (const name of settingNames) settings.set(name, await readSettingOrAbsent(session, name));
  const files = new Map<string, Uint8Array | undefined>();
  for (const path of filePaths) files.set(path, await readFileOrAbsent(session, path));
  return { settings, files };
}
