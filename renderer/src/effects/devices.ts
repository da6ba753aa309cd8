/** Devices: the list, a port added by hand, the Bluetooth scan, and the one-click Provision. */
import type { ErrorInfo } from '../../../main/contract/api';
import { describeError } from '../../../main/contract/errors';
import { alertsStore } from '../state/alerts';
import { devicesStore, type DeviceEntry } from '../state/devices';
import { profilesStore, variablesFor } from '../state/profiles';
import { runsStore, type RunRequest } from '../state/runs';
import { selectionStore, toProvision } from '../state/selection';
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
    // The last profile used stays the batch profile (a Retry with another one, too), remembered across reloads.
    if (profilesStore.getState().choice.profilePath !== request.profilePath) profilesStore.getState().choose(request.profilePath);
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

/**
 * Provision selected: every ticked gateway that can start, with the batch profile and variables, all at once (the
 * station runs them side by side, as the line does). Each one leaves the selection as its run is asked for; the
 * ids of the runs started come back (a refused one is in the alert region, and stays ticked).
 */
export async function provisionSelected(): Promise<string[]> {
  const { order, byId, starting } = devicesStore.getState();
  const ids = toProvision(order, selectionStore.getState().ids, byId, starting);
  const runs = await Promise.all(
    ids.map(async (id) => {
      const runId = await provision(id);
      if (runId !== undefined) selectionStore.getState().drop([id]);
      return runId;
    }),
  );
  return runs.filter((r): r is string => r !== undefined);
}
