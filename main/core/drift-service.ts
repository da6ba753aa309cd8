/**
 * Drift for the UI: open the device, compare it with the profile, and optionally write the golden values back —
 * the same functions `fieldline drift` uses. The device is claimed for the duration, so a drift check and a run
 * never talk to one gateway at once.
 */
import type { Difference } from '../contract/drift';
import type { GatewaySession } from '../device/session';
import { openTarget } from '../device/target';
import type { Logger } from '../log';
import { driftOf } from './drift';
import type { DriftReport } from '../provisioning/drift';
import type { Store } from '../store/types';
import type { BleRadios } from '../transport/ble/noble';
import { targetOf, type BleConfig } from './ble';
import type { DeviceDiscovery } from './devices';
import type { ProfileLibrary } from './profiles';

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
  const { devices, store, station } = options;

  const withSession = async <T>(request: DriftRequest, work: (session: GatewaySession, profile: Awaited<ReturnType<ProfileLibrary['load']>>) => Promise<T>): Promise<T> => {
    const device = devices.get(request.deviceId);
    const profile = await options.profiles.load(request.profilePath);
    const release = devices.claim(device.id, 'drift');
    try {
      const session = await openTarget(targetOf(device, { ble: options.ble, baudRate: options.baudRate }), {
        logger: options.logger,
        radios: options.radios,
        ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
      });
      try {
        return await work(session, profile);
      } finally {
        await session.close();
      }
    } finally {
      release();
    }
  };

  return {
    check: (request) =>
      withSession(request, async (session, profile) => (await driftOf(store, station, { session, profile, variables: request.variables ?? {} })).report),
    fix: (request) =>
      withSession(request, async (session, profile) => {
        const outcome = await driftOf(store, station, { session, profile, variables: request.variables ?? {}, fix: { actor: request.actor ?? `operator:${options.operator()}` } });
        return { fixed: outcome.fixed, remaining: outcome.remaining, report: outcome.after ?? outcome.report };
      }),
  };
}
