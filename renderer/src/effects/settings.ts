/** Settings: registry URL and write-only token, operator, label printer, unlocking the station CA. */
import type { Result, Settings } from '../../../main/contract/api';
import type { FixtureLabels } from '../../../main/contract/fixtures';
import { settingsStore, type SettingsForm } from '../state/settings';
import { api } from './api';
import { call } from './call';

export async function loadSettings(): Promise<void> {
  const result = await call('Read the settings', api().invoke['settings:get']());
  if (result.ok) settingsStore.getState().setSettings(result.value);
}

async function save(form: SettingsForm, context: string, send: () => Promise<Result<Settings>>): Promise<boolean> {
  const settings = settingsStore.getState();
  if (settings.saving[form]) return false;
  settings.setSaving(form, true);
  settings.setSaved(undefined);
  settings.setFailed(form, undefined);
  try {
    const result = await call(context, send());
    if (result.ok) {
      settingsStore.getState().setSettings(result.value);
      settingsStore.getState().setSaved(form);
    } else {
      settingsStore.getState().setFailed(form, result.error);
    }
    return result.ok;
  } finally {
    settingsStore.getState().setSaving(form, false);
  }
}

/**
 * An empty token keeps the stored one (the URL can be corrected alone). The station tries the registry first (its
 * health, then the token) and saves nothing when that fails; the form shows why.
 */
export function saveRegistry(url: string, token: string): Promise<boolean> {
  return save('registry', 'Save the registry', () => api().invoke['settings:set-registry']({ url: url.trim(), ...(token !== '' ? { token } : {}) }));
}

export function saveOperator(name: string): Promise<boolean> {
  return save('operator', 'Save the operator name', () => api().invoke['settings:set-operator']({ name: name.trim() }));
}

/** An empty printer clears it: labels are then written to files on the station. */
export function savePrinter(printer: string): Promise<boolean> {
  return save('printer', 'Save the label printer', () => api().invoke['settings:set-printer']({ printer: printer.trim() }));
}

/** `default` forgets the Settings choice: FIELDLINE_BLE_ADAPTER, else this machine's adapter. */
export function saveBleAdapter(adapter: 'system' | 'virtual' | 'default'): Promise<boolean> {
  return save('ble', 'Save the Bluetooth adapter', () => api().invoke['settings:set-ble-adapter']({ adapter }));
}

/** Minutes without activity before a signed-in operator is signed out (an admin's setting). */
export function saveIdleLock(minutes: number): Promise<boolean> {
  return save('idle', 'Save the idle lock', () => api().invoke['settings:set-idle-lock']({ minutes }));
}

export function unlockCa(passphrase: string, remember: boolean): Promise<boolean> {
  return save('unlock', 'Unlock the station CA', () => api().invoke['settings:unlock-ca']({ passphrase, ...(remember ? { remember: true } : {}) }));
}

/** The fixture positions (location → label) and the operator view's sound, saved by one form: labels first. */
export function saveFixtures(labels: FixtureLabels, sound: boolean): Promise<boolean> {
  return save('fixtures', 'Save the fixture positions', async () => {
    const saved = await api().invoke['settings:set-fixture-labels']({ labels });
    if (!saved.ok || saved.value.operatorSound === sound) return saved;
    return api().invoke['settings:set-operator-sound']({ on: sound });
  });
}
