import { create } from 'zustand';
import type { ErrorInfo } from '../../main/contract/api';

export interface AppInfo {
  readonly name: string;
  readonly version: string;
}

interface AppState {
  readonly app: AppInfo | null;
  readonly error: ErrorInfo | null;
  loadAppInfo(): Promise<void>;
}

export const useAppStore = create<AppState>()((set) => ({
  app: null,
  error: null,
  loadAppInfo: async () => {
    const result = await window.fieldline.invoke['app:version']();
    if (result.ok) set({ app: result.value, error: null });
    else set({ error: result.error });
  },
}));
