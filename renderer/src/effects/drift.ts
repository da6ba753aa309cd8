/** Service visit: check a device against a profile, and write the golden values back. */
import { devicesStore } from '../state/devices';
import { driftStore } from '../state/drift';
import { profilesStore } from '../state/profiles';
import { api } from './api';
import { call } from './call';
import { loadProfileDetails } from './profiles';

/** On entering the screen: the first attached device and the batch profile, unless picked already. */
export function prepareDrift(): void {
  const drift = driftStore.getState();
  if (!drift.deviceId) {
    const { order, byId } = devicesStore.getState();
    const first = order.find((id) => byId[id]?.state !== 'gone');
    if (first) drift.pickDevice(first);
  }
  const profilePath = profilesStore.getState().choice.profilePath;
  if (!driftStore.getState().profilePath && profilePath) driftStore.getState().pickProfile(profilePath);
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
