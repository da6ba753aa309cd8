/**
 * Drift for the UI: open the device, compare it with the profile, and optionally write the golden values back —
 * the same functions `fieldline drift` uses. The device is claimed for the duration, so a drift check and a run
 * never talk to one gateway at once.
 */
import type { Difference } from '../contract/drift';
import type { Logger } from '../log';
import { driftOf } from './drift';
import type { DriftReport } from '../provisioning/drift';
import type { Store } from '../store/types';
import type { BleRadios } from '../transport/ble/noble';
import type { BleConfig } from './ble';
import { claimedSessions } from './claimed-session';
import type { DeviceDiscovery } from './devices';
import type { ProfileLibrary } from './profiles';
import { auditUnreleased } from './release-gate';

export interface DriftService {
  check(request: DriftRequest): Promise<DriftReport>;
  fix(request: DriftRequest): Promise<{ fixed: Difference[]; remaining: Difference[]; report: DriftReport }>;
}

export interface DriftRequest {
  deviceId: string;
  profilePath: string;
  variables?: Record<string, string>;
  /** Who fixes, for the audit log: `operator:NAME` from the core's permission check; default the settings operator. */
  actor?: string;
  /** A fix only: on a station that follows a release channel, a profile that is not one of its releases (audited). */
  allowUnreleased?: boolean;
}

export interface DriftServiceOptions {
  devices: DeviceDiscovery;
  profiles: ProfileLibrary;
  store: Store;
  station: { name: string };
  operator: () => string;
  logger: Logger;
  baudRate?: number;
  timeoutMs?: number;
  /** The adapter BLE gateways are reached through; absent: BLE devices cannot be checked. */
  ble?: () => BleConfig;
  /** Whose noble instances BLE gateways are reached through: the core's (main/core/core.ts). */
  radios: BleRadios;
}

export function createDriftService(options: DriftServiceOptions): DriftService {
  const { store, station } = options;

  const onDevice = claimedSessions(options, 'drift');

  return {
    check: async (request) => {
      const profile = await options.profiles.load(request.profilePath);
      return onDevice(request.deviceId, async (session) => (await driftOf(store, station, { session, profile, variables: request.variables ?? {} })).report);
    },
    // A fix writes the profile's values: through the release gate, as a run is.
    fix: async (request) => {
      const { profile, ...verdict } = await options.profiles.loadForRun(request.profilePath, { allowUnreleased: request.allowUnreleased ?? false });
      return onDevice(request.deviceId, async (session) => {
        const actor = request.actor ?? `operator:${options.operator()}`;
        auditUnreleased(store, { actor, profile, verdict, command: 'drift:fix' });
        const outcome = await driftOf(store, station, { session, profile, variables: request.variables ?? {}, fix: { actor } });
        return { fixed: outcome.fixed, remaining: outcome.remaining, report: outcome.after ?? outcome.report };
      });
    },
  };
}
