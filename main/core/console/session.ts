/**
 * One console call on one device: the device is claimed for the call (DEVICE_BUSY while a run, a drift check or
 * another console call holds it), a session opened, the work done, the session closed and the claim released.
 * Each call claims afresh, so a console left open on a device page never keeps a run from starting.
 */
import type { Device } from '../../contract/devices';
import type { GatewaySession } from '../../device/session';
import { openTarget } from '../../device/target';
import type { Logger } from '../../log';
import type { BleRadios } from '../../transport/ble/noble';
import { targetOf, type BleConfig } from '../ble';
import type { DeviceDiscovery } from '../devices';

export interface ConsoleSessionOptions {
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

export function consoleSessions(options: ConsoleSessionOptions): WithDevice {
  const { devices } = options;
  return async (deviceId, work) => {
    const device = devices.get(deviceId);
    const release = devices.claim(device.id, 'console');
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
