/** Service visit: check a device against a profile, and write the golden values back. */
import { devicesStore } from '../state/devices';
import { driftStore, lastPassedProfile } from '../state/drift';
import { profilesStore } from '../state/profiles';
import { api } from './api';
import { call } from './call';
import { loadProfileDetails } from './profiles';

/**
 * On entering the screen: the first attached device and the batch profile, unless picked already; then the profile
 * of the device's last passed run, once the store has answered.
 */
export function prepareDrift(): Promise<void> {
  const drift = driftStore.getState();
  let picked: string | undefined;
  if (!drift.deviceId) {
    const { order, byId } = devicesStore.getState();
    picked = order.find((id) => byId[id]?.state !== 'gone');
    if (picked) drift.pickDevice(picked);
  }
  const profilePath = profilesStore.getState().choice.profilePath;
  if (!driftStore.getState().profilePath && profilePath) driftStore.getState().pickProfile(profilePath);
  return picked ? preselectLastProfile(picked) : Promise.resolve();
}

/** A device picked by hand: its own last profile replaces the one shown, when it has one here. */
export function pickDriftDevice(deviceId: string | undefined): Promise<void> {
  driftStore.getState().pickDevice(deviceId);
  return deviceId ? preselectLastProfile(deviceId) : Promise.resolve();
}

/** The serial to look the device's runs up by: what identify read, else its last run's record says. */
async function serialOf(deviceId: string): Promise<string | undefined> {
  const device = devicesStore.getState().byId[deviceId];
  if (device?.serial) return device.serial;
  if (!device?.lastRunId) return undefined;
  const record = await api().invoke['runs:get']({ runId: device.lastRunId });
  return record.ok ? record.value.device.serial : undefined;
}

// No alert when this finds nothing: a device never provisioned here simply keeps the profile already shown.
async function preselectLastProfile(deviceId: string): Promise<void> {
  const serial = await serialOf(deviceId);
  if (!serial) return;
  const runs = await api().invoke['runs:list']({ serial, limit: 100 });
  if (!runs.ok) return;
  const path = lastPassedProfile(runs.value, profilesStore.getState().list);
  // The technician may have picked another device while the store answered.
  if (path && driftStore.getState().deviceId === deviceId) driftStore.getState().pickProfile(path);
}

function request(): { deviceId: string; profilePath: string } | undefined {
  const { deviceId, profilePath } = driftStore.getState();
  return deviceId && profilePath ? { deviceId, profilePath } : undefined;
}

export async function checkDrift(): Promise<void> {
  const args = request();
  const drift = driftStore.getState();
  if (!args || drift.checking || drift.fixing) return;
  drift.setChecking(true);
  try {
    // The profile's settings and files fill the "matches" rows beside the differences.
    if (!profilesStore.getState().details[args.profilePath]) void loadProfileDetails(args.profilePath);
    const result = await call('Check drift', api().invoke['drift:check'](args));
    if (result.ok) driftStore.getState().checked(result.value);
  } finally {
    driftStore.getState().setChecking(false);
  }
}

export async function remediate(): Promise<void> {
  const args = request();
  const drift = driftStore.getState();
  if (!args || drift.checking || drift.fixing) return;
  drift.setFixing(true);
  try {
    // The variables the check used (from the device's last passed run), so the fix writes what was compared.
    const variables = drift.report?.variables;
    const result = await call('Remediate', api().invoke['drift:fix']({ ...args, ...(variables ? { variables: { ...variables } } : {}) }));
    if (result.ok) driftStore.getState().fixed(result.value);
  } finally {
    driftStore.getState().setFixing(false);
  }
}
