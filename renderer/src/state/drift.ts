/** A service visit: the device and profile picked, the drift report, and what Remediate fixed. */
import { useStore } from 'zustand';
import { createStore } from 'zustand/vanilla';
import type { Difference, DriftReportInfo } from '../../../main/contract/api';

export interface DriftFix {
  readonly fixed: readonly Difference[];
  readonly remaining: readonly Difference[];
}

export interface DriftState {
  readonly deviceId: string | undefined;
  readonly profilePath: string | undefined;
  readonly report: DriftReportInfo | undefined;
  readonly fix: DriftFix | undefined;
  readonly checking: boolean;
  readonly fixing: boolean;
  pickDevice(deviceId: string | undefined): void;
  pickProfile(profilePath: string | undefined): void;
  setChecking(on: boolean): void;
  setFixing(on: boolean): void;
  checked(report: DriftReportInfo): void;
  fixed(result: DriftFix & { report: DriftReportInfo }): void;
}

export function createDriftStore() {
  return createStore<DriftState>()((set) => ({
    deviceId: undefined,
    profilePath: undefined,
    report: undefined,
    fix: undefined,
    checking: false,
    fixing: false,
    // A new pick makes the shown report stale: it belongs to the old device or profile.
    pickDevice: (deviceId) => set((s) => (s.deviceId === deviceId ? s : { deviceId, report: undefined, fix: undefined })),
    pickProfile: (profilePath) => set((s) => (s.profilePath === profilePath ? s : { profilePath, report: undefined, fix: undefined })),
    setChecking: (checking) => set({ checking }),
    setFixing: (fixing) => set({ fixing }),
    checked: (report) => set({ report, fix: undefined }),
    fixed: ({ fixed, remaining, report }) => set({ report, fix: { fixed, remaining } }),
  }));
}

export const driftStore = createDriftStore();

export function useDrift<T>(selector: (s: DriftState) => T): T {
  return useStore(driftStore, selector);
}
