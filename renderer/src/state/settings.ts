/** Settings as the Node side reports them (the token only as `tokenSet`), and which form is being saved. */
import { useStore } from 'zustand';
import { createStore } from 'zustand/vanilla';
import type { Settings } from '../../../main/contract/api';

export type SettingsForm = 'registry' | 'operator' | 'printer' | 'unlock' | 'ble' | 'idle';

export interface SettingsState {
  readonly settings: Settings | undefined;
  /** The form whose call is under way. */
  readonly saving: Readonly<Partial<Record<SettingsForm, boolean>>>;
  /** The form that last saved successfully (for a short "saved" note). */
  readonly saved: SettingsForm | undefined;
  setSettings(settings: Settings): void;
  setSaving(form: SettingsForm, on: boolean): void;
  setSaved(form: SettingsForm | undefined): void;
}

export function createSettingsStore() {
  return createStore<SettingsState>()((set) => ({
    settings: undefined,
    saving: {},
    saved: undefined,
    setSettings: (settings) => set({ settings }),
    setSaving: (form, on) => set((s) => ({ saving: { ...s.saving, [form]: on } })),
    setSaved: (saved) => set({ saved }),
  }));
}

export const settingsStore = createSettingsStore();

export function useSettings<T>(selector: (s: SettingsState) => T): T {
  return useStore(settingsStore, selector);
}
