/**
 * The failed Results the technician has not dismissed yet, shown in the alert region with the contract's words
 * (message, hint) and what was being done when it failed. The same failure repeated counts up instead of stacking.
 */
import { useStore } from 'zustand';
import { createStore } from 'zustand/vanilla';
import type { ErrorInfo } from '../../../main/contract/api';

export interface Alert {
  readonly id: number;
  /** What was being done, in words: "Provision /dev/ttyACM0". */
  readonly context: string;
  readonly error: ErrorInfo;
  readonly count: number;
}

export interface AlertsState {
  readonly alerts: readonly Alert[];
  push(context: string, error: ErrorInfo): void;
  dismiss(id: number): void;
  /** Drops the alerts of one context (the action was retried and succeeded). */
  clearContext(context: string): void;
  clear(): void;
}

/** More than this and the oldest go: a line of failing devices must not bury the screen. */
export const MAX_ALERTS = 6;

export function createAlertsStore() {
  let nextId = 1;
  return createStore<AlertsState>()((set) => ({
    alerts: [],
    push: (context, error) =>
      set((s) => {
        const same = s.alerts.find((a) => a.context === context && a.error.code === error.code && a.error.message === error.message);
        if (same) return { alerts: s.alerts.map((a) => (a === same ? { ...a, count: a.count + 1 } : a)) };
        const next = [...s.alerts, { id: nextId++, context, error, count: 1 }];
        return { alerts: next.slice(-MAX_ALERTS) };
      }),
    dismiss: (id) => set((s) => ({ alerts: s.alerts.filter((a) => a.id !== id) })),
    clearContext: (context) =>
      set((s) => (s.alerts.some((a) => a.context === context) ? { alerts: s.alerts.filter((a) => a.context !== context) } : s)),
    clear: () => set({ alerts: [] }),
  }));
}

export const alertsStore = createAlertsStore();

export function useAlerts<T>(selector: (s: AlertsState) => T): T {
  return useStore(alertsStore, selector);
}
