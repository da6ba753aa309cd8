/**
 * Bluetooth LE for the app: which adapter the station uses, and the scanner discovery calls. noble is loaded on the
 * first scan or BLE run, never at app start: `require('@abandonware/noble')` opens a raw HCI socket and throws on a
 * machine without Bluetooth, and most stations never use BLE. Every failure to reach the radio arrives as a
 * FieldlineError with a BLE_* code (main/transport/ble/noble.ts), which the UI shows in words.
 */
import type { BleAdapter } from '../contract/devices';
import type { DeviceTarget } from '../device/target';
import { FieldlineError } from '../errors';
import type { Logger } from '../log';
import { BLE_ADAPTER_ENV, defaultBleSocketPath, resolveBleAdapter } from '../transport/ble/adapter-choice';
import type { BleRadios } from '../transport/ble/noble';
import { scanGateways, type BleGatewayInfo } from '../transport/ble/scan';

export type { BleGatewayInfo } from '../transport/ble/scan';

/** Where the app's BLE traffic goes: the adapter, and for `virtual` the simulator's socket. */
export interface BleConfig {
  adapter: BleAdapter;
  socketPath: string;
  /** Who chose the adapter (shown in Settings). */
  source: 'settings' | 'station' | 'environment' | 'default';
}

export interface BleConfigSources {
  /** The Settings screen's choice (undefined: not chosen there). */
  setting?: () => BleAdapter | undefined;
  /** AppOptions.ble — what the code that assembled the app asked for (the demo's virtual gateways). */
  adapter?: BleAdapter;
  socketPath?: string;
  env?: NodeJS.ProcessEnv;
}

/**
 * The adapter in force, asked again at every scan and run so a change in Settings takes effect at once. The order:
 * the Settings choice, then what the app was started with, then FIELDLINE_BLE_ADAPTER, then this machine's adapter.
 * An unknown FIELDLINE_BLE_ADAPTER is INVALID_ARGUMENT at the first scan, not a station that refuses to start.
 */
export function bleConfigFrom(sources: BleConfigSources): () => BleConfig {
  const env = sources.env ?? process.env;
  return () => {
    const socketPath = sources.socketPath ?? defaultBleSocketPath(env);
    const setting = sources.setting?.();
    if (setting) return { adapter: setting, socketPath, source: 'settings' };
    if (sources.adapter) return { adapter: sources.adapter, socketPath, source: 'station' };
    const fromEnv = env[BLE_ADAPTER_ENV]?.trim();
    return { adapter: resolveBleAdapter(undefined, env), socketPath, source: fromEnv ? 'environment' : 'default' };
  };
}

export interface BleScanRequest {
  durationMs: number;
  signal?: AbortSignal;
  /** Each gateway heard: new ones and RSSI updates. */
  onUpdate: (gateway: BleGatewayInfo) => void;
}

/** One radio's scan, as discovery uses it; a fake in tests. */
export interface BleScanner {
  scan(request: BleScanRequest): Promise<{ adapter: BleAdapter; gateways: BleGatewayInfo[] }>;
}

export function createBleScanner(config: () => BleConfig, radios: BleRadios, logger: Logger): BleScanner {
  return {
    async scan(request) {
      const { adapter, socketPath } = config();
      // Loaded (and kept per adapter by the radios' owner) here, on the first scan; a failed load is retried by the next.
      const noble = await radios.load(adapter, { socketPath, logger: logger.child('noble') });
      const gateways = await scanGateways(noble, {
        durationMs: request.durationMs,
        onUpdate: request.onUpdate,
        ...(request.signal ? { signal: request.signal } : {}),
      });
      return { adapter, gateways };
    },
  };
}

/** The target a run or a drift check opens for a device: its serial port, or its BLE address on the station's adapter. */
/** The error of an app assembled without Bluetooth (tests, embedders), said the same way everywhere. */
export function noBluetooth(): FieldlineError {
  return new FieldlineError('BLE_NO_ADAPTER', 'Bluetooth is not available in this app');
}

/** Where a device is reached: its serial port, or its BLE address on the station's adapter (BLE_NO_ADAPTER without one). */
export function targetOf(device: { transport: 'serial' | 'ble'; path: string }, options: { ble?: (() => BleConfig) | undefined; baudRate?: number | undefined }): DeviceTarget {
  if (device.transport === 'ble') {
    if (!options.ble) throw noBluetooth();
    const { adapter, socketPath } = options.ble();
    // By address, never by name: two gateways may advertise the same name.
    return { kind: 'ble', selector: device.path, adapter, socketPath };
  }
  return { kind: 'serial', path: device.path, ...(options.baudRate ? { baudRate: options.baudRate } : {}) };
}
