/**
 * Work on one listed device by hand (a drift check, a console call): the device is claimed for the work (DEVICE_BUSY
 * while a run or another such call holds it), a session opened, the work done, the session closed and the claim
 * released. One helper, so every caller that talks to a gateway outside a run keeps the same order — claim before
 * open, close before release — and no two callers ever talk to one gateway at once.
 */
import type { Device } from '../contract/devices';
import type { GatewaySession } from '../device/session';
import { openTarget } from '../device/target';
import type { Logger } from '../log';
import type { BleRadios } from '../transport/ble/noble';
import { targetOf, type BleConfig } from './ble';
import type { DeviceDiscovery } from './devices';

export interface ClaimedSessionOptions {
  devices: DeviceDiscovery;
  logger: Logger;
  /** Whose noble instances BLE gateways are reached through: the core's. */
  radios: BleRadios;
  /** The adapter BLE gateways are reached through; absent: BLE devices cannot be opened. */
  ble?: () => BleConfig;
  baudRate?: number;
  timeoutMs?: number;
}

export type WithDevice = <T>(deviceId: string, work: (session: GatewaySession, device: Device) => Promise<T>) => Promise<T>;

/** `purpose` is what a refused claim names as the holder ("drift", "console"). */
export function claimedSessions(options: ClaimedSessionOptions, purpose: string): WithDevice {
  const { devices } = options;
  return async (deviceId, work) => {
    const device = devices.get(deviceId);
    const release = devices.claim(device.id, purpose);
    try {
      const session = await openTarget(targetOf(device, { ble: options.ble, baudRate: options.baudRate }), {
        logger: options.logger,
        radios: options.radios,
        ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
      });
      try {
        return await work(session, device);
      } finally {
        await session.close();
      }
    } finally {
      release();
    }
  };
}
