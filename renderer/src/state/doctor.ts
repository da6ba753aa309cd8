/** The environment doctor's last report (doctor:run), and whether a run is under way. */
import { useStore } from 'zustand';
import { createStore } from 'zustand/vanilla';
import type { DoctorReport } from '../../../main/contract/api';

export interface DoctorState {
  readonly report: DoctorReport | undefined;
  readonly running: boolean;
  setReport(report: DoctorReport): void;
  setRunning(on: boolean): void;
}

export function createDoctorStore() {
  return createStore<DoctorState>()((set) => ({
    report: undefined,
    running: false,
    setReport: (report) => set({ report }),
    setRunning: (running) => set({ running }),
  }));
}

export const doctorStore = createDoctorStore();

export function useDoctor<T>(selector: (state: DoctorState) => T): T {
  return useStore(doctorStore, selector);
}

/** The checks that failed in the last report: what the start-up banner counts. */
export function failedChecks(report: DoctorReport | undefined): DoctorReport['checks'] {
  return report ? report.checks.filter((c) => c.status === 'fail') : [];
}
