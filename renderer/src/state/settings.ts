/** Settings as the Node side reports them (the token only as `tokenSet`), and which form is being saved. */
import { useStore } from 'zustand';
import { createStore } from 'zustand/vanilla';
import type { ErrorInfo, Settings } from '../../../main/contract/api';

export type SettingsForm = 'registry' | 'operator' | 'printer' | 'unlock' | 'ble' | 'idle' | 'fixtures';

export interface SettingsState {
  readonly settings: Settings | undefined;
  /** The form whose call is under way. */
  readonly saving: Readonly<Partial<Record<SettingsForm, boolean>>>;
  /** The form that last saved successfully (for a short "saved" note). */
  readonly saved: SettingsForm | undefined;
  /** Why a form's last save failed, shown beside its Save button (nothing was saved). */
  readonly failed: Readonly<Partial<Record<SettingsForm, ErrorInfo>>>;
  setSettings(settings: Settings): void;
  setSaving(form: SettingsForm, on: boolean): void;
  setSaved(form: SettingsForm | undefined): void;
  setFailed(form: SettingsForm, error: ErrorInfo | undefined): void;
}

export function createSettingsStore() {
  return createStore<SettingsState>()((set) => ({
    settings: undefined,
    saving: {},
    saved: undefined,
    failed: {},
    setSettings: (settings) => set({ settings }),
    setSaving: (form, on) => set((s) => ({ saving: { ...s.saving, [form]: on } })),
    setSaved: (saved) => set({ saved }),
    setFailed: (form, error) =>
      set((s) => {
        const failed = { ...s.failed };
        if (error) failed[form] = error;
        else delete failed[form];
        return { failed };
      }),
  }));
}

export const settingsStore = createSettingsStore();

export function useSettings<T>(selector: (s: SettingsState) => T): T {
  return useStore(settingsStore, selector);
}
