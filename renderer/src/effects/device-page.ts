/**
 * A gateway's page: read it (service:inspect) and run a service action on it. Each action's service record is in the
 * store once the call answers, so the page reads the device again and the timeline shows the record with the rest.
 */
import type { ServiceResult } from '../../../main/contract/service';
import type { Result } from '../../../main/contract/api';
import { devicePageStore, type PageAction } from '../state/device-page';
import { devicesStore } from '../state/devices';
import { navStore } from '../state/nav';
import { api } from './api';
import { call } from './call';
import { navigate } from './navigation';

const CONTEXT: Record<PageAction, string> = {
  diagnose: 'Run diagnostics',
  remediate: 'Remediate',
  update: 'Update firmware',
  renew: 'Renew certificate',
};

function invoke(action: PageAction, deviceId: string): Promise<Result<ServiceResult>> {
  const methods = api().invoke;
  switch (action) {
    case 'diagnose':
      return methods['service:diagnose']({ deviceId });
    case 'remediate':
      return methods['service:remediate']({ deviceId });
    case 'update':
      return methods['service:update']({ deviceId });
    case 'renew':
      return methods['service:renew']({ deviceId });
  }
}

/** Opens the page on `deviceId` (a fresh one when it was showing another) and reads the device. */
export async function inspectDevice(deviceId: string): Promise<void> {
  devicePageStore.getState().open(deviceId);
  if (devicePageStore.getState().inspecting) return;
  devicePageStore.getState().setInspecting(deviceId, true);
  try {
    const result = await call('Read the device', api().invoke['service:inspect']({ deviceId }));
    if (result.ok) devicePageStore.getState().inspected(deviceId, result.value);
  } finally {
    devicePageStore.getState().setInspecting(deviceId, false);
  }
}

/** Runs `action` on the page's device (once confirmed, for those that write), then reads the device again. */
export async function runServiceAction(action: PageAction): Promise<void> {
  const { deviceId, running } = devicePageStore.getState();
  devicePageStore.getState().ask(undefined);
  if (!deviceId || running) return;
  devicePageStore.getState().setRunning(deviceId, action);
  try {
    const result = await call(CONTEXT[action], invoke(action, deviceId));
    if (result.ok) devicePageStore.getState().acted(deviceId, result.value);
  } finally {
    devicePageStore.getState().setRunning(deviceId, undefined);
  }
  await inspectDevice(deviceId);
}

/**
 * A gateway connected while the Service visit screen is open opens its page: on a visit, plugging the device in is
 * the technician's way of saying "this one". Devices already listed when the list was first read do not count.
 * Returns the unsubscribe function.
 */
export function openPageOnConnect(): () => void {
  return devicesStore.subscribe((state, prev) => {
    if (!prev.loaded || state.order === prev.order || navStore.getState().route.screen !== 'drift') return;
    const added = state.order.find((id) => !prev.byId[id] && state.byId[id]?.state !== 'gone');
    if (added) navigate({ screen: 'device', deviceId: added });
  });
}
