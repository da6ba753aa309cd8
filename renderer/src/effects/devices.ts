/** Devices: the list, a port added by hand, the Bluetooth scan, and the one-click Provision. */
import type { ErrorInfo } from '../../../main/contract/api';
import { describeError } from '../../../main/contract/errors';
import { alertsStore } from '../state/alerts';
import { devicesStore, type DeviceEntry } from '../state/devices';
import { profilesStore, variablesFor } from '../state/profiles';
import { runsStore, type RunRequest } from '../state/runs';
import { api } from './api';
import { call, callInPlace } from './call';

export function deviceLabel(device: Pick<DeviceEntry, 'serial' | 'path' | 'name'> | undefined, fallback = 'device'): string {
  return device?.serial ?? device?.name ?? device?.path ?? fallback;
}

export const BLE_SCAN_CONTEXT = 'Scan for Bluetooth gateways';

/**
 * Listens for Bluetooth gateways (the station's default duration unless given). The gateways heard arrive as
 * device events while the scan runs; the answer lists them again, in case an event was missed. A failure (no
 * adapter, adapter off, no permission) is kept for the scan panel as well as put in the alert region. False when a
 * scan from this window is already under way or the scan failed.
 */
export async function scanBle(durationMs?: number): Promise<boolean> {
  const devices = devicesStore.getState();
  if (devices.bleScan.scanning) return false;
  devices.bleScanStarted();
  const result = await call(BLE_SCAN_CONTEXT, api().invoke['devices:scan-ble'](durationMs !== undefined ? { durationMs } : undefined));
  const after = devicesStore.getState();
  if (result.ok) {
    for (const device of result.value.devices) after.attached(device);
    after.bleScanDone({ count: result.value.devices.length, adapter: result.value.adapter, at: new Date().toISOString() });
  } else {
    after.bleScanDone({ error: result.error });
  }
  return result.ok;
}

export async function loadDevices(): Promise<void> {
  const result = await call('List the devices', api().invoke['devices:list']());
  if (result.ok) devicesStore.getState().setAll(result.value);
}

/** Adds a port discovery cannot list. True when it was added (the dialog closes). */
/** Attaches a port entered by hand; its error, if any, for the Add port dialog to show inside itself. */
export async function addPort(path: string): Promise<ErrorInfo | undefined> {
  const result = await callInPlace(api().invoke['devices:add-port']({ path }));
  if (!result.ok) return result.error;
  devicesStore.getState().attached(result.value);
  return undefined;
}

/** Starts a run as `request` says; the new run's id, or undefined when it was refused (the alert says why). */
export async function startRun(request: RunRequest, context: string): Promise<string | undefined> {
  const devices = devicesStore.getState();
  if (devices.starting[request.deviceId]) return undefined;
  devices.setStarting(request.deviceId, true);
  try {
    const result = await call(
      context,
      api().invoke['provision:start']({
        deviceId: request.deviceId,
        profilePath: request.profilePath,
        variables: { ...request.variables },
        ...(request.reprovision ? { reprovision: true } : {}),
      }),
    );
    if (!result.ok) return undefined;
    runsStore.getState().started(result.value.runId, request);
    return result.value.runId;
  } finally {
    devicesStore.getState().setStarting(request.deviceId, false);
  }
}

/** The Provision button of a device row: the batch profile and variables, one click. */
export async function provision(deviceId: string): Promise<string | undefined> {
  const device = devicesStore.getState().byId[deviceId];
  const context = `Provision ${deviceLabel(device, deviceId)}`;
  const { choice } = profilesStore.getState();
  if (!choice.profilePath) {
    alertsStore.getState().push(context, describeError('PROFILE_NOT_FOUND'));
    return undefined;
  }
  const request: RunRequest = {
    deviceId,
    profilePath: choice.profilePath,
    variables: variablesFor(choice, choice.profilePath),
    reprovision: choice.reprovision,
  };
  return startRun(request, context);
}
