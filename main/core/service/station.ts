/**
 * The service actions for the UI (service:* methods): the same core actions `fieldline service` uses, on a device of
 * the station's list. The device is claimed for the action, so no run, drift check or console talks to it meanwhile.
 */
import type { ServiceInspection, ServiceResult } from '../../contract/service';
import { prepareTarget } from '../../device/target';
import type { Logger } from '../../log';
import type { BleRadios } from '../../transport/ble/noble';
import { targetOf, type BleConfig } from '../ble';
import type { DeviceDiscovery } from '../devices';
import type { ServiceActions, ServiceRequest } from './service';

export interface DeviceServiceRequest {
  deviceId: string;
  /** `operator:NAME` from the core's permission check; absent on a station without operators. */
  actor?: string;
}

export interface DeviceService {
  inspect(request: DeviceServiceRequest): Promise<ServiceInspection>;
  diagnose(request: DeviceServiceRequest): Promise<ServiceResult>;
  remediate(request: DeviceServiceRequest): Promise<ServiceResult>;
  update(request: DeviceServiceRequest): Promise<ServiceResult>;
  renew(request: DeviceServiceRequest): Promise<ServiceResult>;
}

export interface DeviceServiceOptions {
  devices: DeviceDiscovery;
  service: ServiceActions;
  station: { name: string };
  /** The settings' operator: the record's operator on a station without operators. */
  operator: () => string;
  logger: Logger;
  radios: BleRadios;
  ble?: () => BleConfig;
  baudRate?: number;
  timeoutMs?: number;
  rebootTimeoutMs?: number;
}

export function createDeviceService(options: DeviceServiceOptions): DeviceService {
  const { devices, service } = options;
  const onDevice = async <T>(request: DeviceServiceRequest, work: (base: ServiceRequest) => Promise<T>): Promise<T> => {
    const device = devices.get(request.deviceId);
    const target = targetOf(device, { ble: options.ble, baudRate: options.baudRate });
    await prepareTarget(target, options.radios, options.logger);
    const release = devices.claim(device.id, 'service');
    try {
      const operator = request.actor?.replace(/^operator:/, '') ?? (options.operator() || `station:${options.station.name}`);
      return await work({
        target,
        operator,
        actor: request.actor ?? `operator:${operator}`,
        ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
        ...(options.rebootTimeoutMs ? { rebootTimeoutMs: options.rebootTimeoutMs } : {}),
      });
    } finally {
      release();
    }
  };
  return {
    inspect: (request) => onDevice(request, async ({ target, timeoutMs }) => ({ deviceId: request.deviceId, ...(await service.inspect({ target, ...(timeoutMs ? { timeoutMs } : {}) })) })),
    diagnose: (request) => onDevice(request, (base) => service.diagnose(base)),
    remediate: (request) => onDevice(request, (base) => service.remediate(base)),
    update: (request) => onDevice(request, (base) => service.update(base)),
    renew: (request) => onDevice(request, (base) => service.renew(base)),
  };
}
