/**
 * The settings browser: the names a technician is offered, and get/set/delete/save of any name with the value
 * encodings `fieldline smp settings --as` has. The names come from the profile the device was provisioned with —
 * its newest passed provisioning run in the store or the visit kit (core.visitKit), the profile found by the hash of
 * its bytes — else from every valid profile of the station's library; any other name may be typed in.
 */
import { CONSOLE_LIMITS, type ConsoleSettingNames, type SettingValueEncoding } from '../../contract/console';
import type { Device } from '../../contract/devices';
import type { GatewaySession } from '../../device/session';
import { decodeSettingValue, encodeSettingValue } from '../../device/setting-values';
import { loadProfile, type LoadedProfile } from '../../profiles/load';
import { settingEncoding } from '../../profiles/template';
import { commitSettings, deleteSetting, readSetting, saveSettings, writeSetting } from '../../smp/groups/settings';
import type { ProfileLibrary } from '../profiles';
import type { VisitKit } from '../visit-kit';
import { deviceText } from './text';

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');
const MAX_NAMES = 4096;

/** The provisioning run and, when its bytes are at hand and unchanged, the profile it used. */
async function provisioning(kit: VisitKit, serial: string | undefined): Promise<{ basis: NonNullable<ConsoleSettingNames['provisionedBy']>; profile?: LoadedProfile } | undefined> {
  const entry = serial ? kit.provisionedBy(serial) : undefined;
  if (!entry) return undefined;
  const { record, source } = entry;
  const basis = { name: record.profile.name, version: record.profile.version, runId: record.id, source, found: false };
  const path = kit.profilePath(record.profile.sha256);
  if (!path) return { basis };
  try {
    const profile = await loadProfile(path);
    // Found by its hash; a file changed since is not the profile the run used.
    return profile.sha256 === record.profile.sha256 ? { basis: { ...basis, found: true }, profile } : { basis };
  } catch {
    // A profile that no longer loads offers no names; the library's are offered instead.
    return { basis };
  }
}

function namesOf(into: Map<string, ConsoleSettingNames['names'][number]>, profile: LoadedProfile): void {
  for (const [name, spec] of Object.entries(profile.profile.settings)) {
    if (!into.has(name)) into.set(name, { name, as: settingEncoding(spec), profile: `${profile.profile.name} ${profile.profile.version}` });
  }
}

export async function settingNames(kit: VisitKit, profiles: ProfileLibrary, device: Device): Promise<ConsoleSettingNames> {
  const own = await provisioning(kit, device.serial);
  const names = new Map<string, ConsoleSettingNames['names'][number]>();
  if (own?.profile) namesOf(names, own.profile);
  else {
    for (const item of (await profiles.list()).filter((p) => p.problems === 0 && p.name !== '')) namesOf(names, await profiles.load(item.path));
  }
  const sorted = [...names.values()].sort((a, b) => a.name.localeCompare(b.name)).slice(0, MAX_NAMES);
  return { ...(own ? { provisionedBy: own.basis } : {}), names: sorted };
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
