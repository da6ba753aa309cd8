/**
 * A gateway's page on a service visit: what service:inspect read of it, the service action under way, and the last
 * action's answer. Answers about a device the page no longer shows are dropped: the technician may have moved on to
 * the next gateway while the last one was still being read.
 */
import { useStore } from 'zustand';
import { createStore } from 'zustand/vanilla';
import type { ServiceInspection, ServiceResult } from '../../../main/contract/service';

/** The service actions the page runs through service:*; replace has its own flow (replace:start). */
export const PAGE_ACTIONS = ['diagnose', 'remediate', 'update', 'renew'] as const;
export type PageAction = (typeof PAGE_ACTIONS)[number];

/** Why an action cannot run on the device as inspected, in words for the button's tooltip; undefined when it can. */
export function actionBlocked(action: PageAction, inspection: ServiceInspection): string | undefined {
  if (!inspection.basis) return 'no provisioning run of this device is known';
  switch (action) {
    case 'remediate':
      return inspection.drift.provisioned?.differences.some((d) => d.fixable) ? undefined : 'nothing to write back';
    case 'update':
      // The service logic decides what counts as newer (MCUboot's version order): its to-do is the answer.
      return inspection.todos.some((t) => t.action === 'update') ? undefined : 'no newer firmware released';
    case 'renew':
      return inspection.identity ? undefined : 'no certificate on the device';
    case 'diagnose':
      return undefined;
  }
}

export type PageTab = 'overview' | 'console';

export interface DevicePageState {
  readonly deviceId: string | undefined;
  readonly inspection: ServiceInspection | undefined;
  readonly inspecting: boolean;
  /** The action under way: one at a time, since each holds the device. */
  readonly running: PageAction | undefined;
  /** The action waiting for the technician's yes (remediate, update, renew write to the device). */
  readonly confirming: PageAction | undefined;
  readonly lastResult: ServiceResult | undefined;
  readonly tab: PageTab;
  open(deviceId: string): void;
  setInspecting(deviceId: string, on: boolean): void;
  inspected(deviceId: string, inspection: ServiceInspection): void;
  ask(action: PageAction | undefined): void;
  setRunning(deviceId: string, action: PageAction | undefined): void;
  acted(deviceId: string, result: ServiceResult): void;
  showTab(tab: PageTab): void;
}

const FRESH = { inspection: undefined, inspecting: false, running: undefined, confirming: undefined, lastResult: undefined, tab: 'overview' } as const;

export function createDevicePageStore() {
  return createStore<DevicePageState>()((set) => {
    /** Applies `change` only while the page still shows `deviceId`. */
    const forDevice =
      (deviceId: string, change: Partial<DevicePageState>) =>
      (s: DevicePageState): DevicePageState | Partial<DevicePageState> =>
        s.deviceId === deviceId ? change : s;
    return {
      deviceId: undefined,
      ...FRESH,
      // Another device: nothing of the last one may show on its page.
      open: (deviceId) => set((s) => (s.deviceId === deviceId ? s : { deviceId, ...FRESH })),
      setInspecting: (deviceId, inspecting) => set(forDevice(deviceId, { inspecting })),
      inspected: (deviceId, inspection) => set(forDevice(deviceId, { inspection })),
      ask: (confirming) => set({ confirming }),
      setRunning: (deviceId, running) => set(forDevice(deviceId, { running })),
      acted: (deviceId, lastResult) => set(forDevice(deviceId, { lastResult })),
      showTab: (tab) => set({ tab }),
    };
  });
}

export const devicePageStore = createDevicePageStore();

export function useDevicePage<T>(selector: (s: DevicePageState) => T): T {
  return useStore(devicePageStore, selector);
}
