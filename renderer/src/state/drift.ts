/** A service visit: the device and profile picked, the drift report, and what Remediate fixed. */
import { useStore } from 'zustand';
import { createStore } from 'zustand/vanilla';
import type { Difference, DriftReportInfo, ProfileListItem, RunSummary } from '../../../main/contract/api';
import { usable } from './profiles';

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

/**
 * The profile a device was last provisioned with: the newest passed run's name and version (runs:list answers newest
 * first), as one of the usable profiles offered here. Undefined when no passed run or no such profile is here.
 */
export function lastPassedProfile(runs: readonly RunSummary[], profiles: readonly ProfileListItem[]): string | undefined {
  const run = runs.find((r) => r.outcome === 'passed');
  if (!run) return undefined;
  return profiles.find((p) => usable(p) && p.name === run.profile && p.version === run.profileVersion)?.path;
}

/** What Remediate will write back, and what it cannot touch (firmware, identity): the confirmation shows both. */
export function remediationPlan(differences: readonly Difference[]): { readonly writes: readonly Difference[]; readonly leaves: readonly Difference[] } {
  return { writes: differences.filter((d) => d.fixable), leaves: differences.filter((d) => !d.fixable) };
}
