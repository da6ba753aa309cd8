/**
 * The settings browser: the names a technician is offered, and get/set/delete/save of any name with the value
 * encodings `fieldline smp settings --as` has. The names come from the profile the device was provisioned with (its
 * last passed run in the store) when the station's library holds it, else from every valid profile in the library;
 * any other name may be typed in.
 */
import { CONSOLE_LIMITS, type ConsoleSettingNames, type SettingValueEncoding } from '../../contract/console';
import type { Device } from '../../contract/devices';
import type { GatewaySession } from '../../device/session';
import { decodeSettingValue, encodeSettingValue } from '../../device/setting-values';
import { settingEncoding } from '../../profiles/template';
import { commitSettings, deleteSetting, readSetting, saveSettings, writeSetting } from '../../smp/groups/settings';
import type { Store } from '../../store/types';
import type { ProfileLibrary } from '../profiles';
import { deviceText } from './text';

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

/** The device's last passed provisioning run (a service record is not one), as far as this station's store knows. */
function provisioningRun(store: Store, serial: string | undefined): ConsoleSettingNames['provisionedBy'] {
  if (!serial) return undefined;
  for (const summary of store.listRuns({ serial, limit: 50 })) {
    if (summary.outcome !== 'passed') continue;
    const record = store.getRun(summary.id);
    if (!record || 'service' in record) continue;
    return { name: record.profile.name, version: record.profile.version, runId: record.id };
  }
  return undefined;
}

export async function settingNames(store: Store, profiles: ProfileLibrary, device: Device): Promise<ConsoleSettingNames> {
  const provisionedBy = provisioningRun(store, device.serial);
  const valid = (await profiles.list()).filter((p) => p.problems === 0 && p.name !== '');
  const own = provisionedBy ? valid.filter((p) => p.name === provisionedBy.name && p.version === provisionedBy.version).slice(0, 1) : [];
  const names = new Map<string, ConsoleSettingNames['names'][number]>();
  for (const item of own.length > 0 ? own : valid) {
    const { profile } = await profiles.load(item.path);
    for (const [name, spec] of Object.entries(profile.settings)) {
      if (!names.has(name)) names.set(name, { name, as: settingEncoding(spec), profile: `${profile.name} ${profile.version}` });
    }
  }
  const sorted = [...names.values()].sort((a, b) => a.name.localeCompare(b.name)).slice(0, 4096);
  return { ...(provisionedBy ? { provisionedBy } : {}), names: sorted };
}

export async function getSetting(session: GatewaySession, name: string, as: SettingValueEncoding): Promise<{ name: string; value: string; hex: string }> {
  const raw = (await readSetting(session.client, name)).slice(0, CONSOLE_LIMITS.settingChars);
  return { name, value: deviceText(String(decodeSettingValue(raw, as)), CONSOLE_LIMITS.settingChars).text, hex: hex(raw) };
}

/** Encoded before the device is touched, so a value that does not fit its encoding is refused with nothing written. */
export function encodeSetting(value: string, as: SettingValueEncoding): Uint8Array {
  return encodeSettingValue(value, as);
}

export async function setSetting(session: GatewaySession, name: string, raw: Uint8Array, save: boolean): Promise<{ name: string; hex: string; saved: boolean }> {
  await writeSetting(session.client, name, raw);
  if (save) await saveAll(session);
  return { name, hex: hex(raw), saved: save };
}

export async function removeSetting(session: GatewaySession, name: string): Promise<{ name: string }> {
  await deleteSetting(session.client, name);
  return { name };
}

/** Commit (the device's handlers apply the values) and save (they survive a reboot). */
export async function saveAll(session: GatewaySession): Promise<void> {
  await commitSettings(session.client);
  await saveSettings(session.client);
}
