/**
 * Which gateway to talk to, however it is reached: a serial port, or a BLE gateway by address or advertised name.
 * Commands and the provisioning runner take a DeviceTarget and open it with openTarget(), so everything that works
 * over a cable works over the air.
 */
import { FieldlineError } from '../errors';
import type { Logger } from '../log';
import { resolveBleAdapter, type BleAdapterChoice } from '../transport/ble/adapter-choice';
import type { BleRadios } from '../transport/ble/noble';
import { GatewaySession, type BleSessionOptions, type SessionOptions } from './session';

export type DeviceTarget =
  | { kind: 'serial'; path: string; baudRate?: number }
  | { kind: 'ble'; selector: string; adapter: BleAdapterChoice; socketPath?: string; scanTimeoutMs?: number };

/**
 * `radios`: whose noble instances a BLE target is reached through — the caller's owner (the core's, or one CLI
 * command's); a serial target needs none, so a session opener that only ever opens serial ports may leave it out.
 */
export type OpenTargetOptions = SessionOptions & Pick<BleSessionOptions, 'reconnect' | 'noble' | 'transport'> & { radios?: BleRadios };

export function openTarget(target: DeviceTarget, options: OpenTargetOptions = {}): Promise<GatewaySession> {
  if (target.kind === 'serial') {
    return GatewaySession.openSerial(target.path, {
      ...options,
      ...(target.baudRate !== undefined ? { baudRate: target.baudRate } : {}),
    });
  }
  const { radios, ...rest } = options;
  // A caller that opens a BLE target without radios is wired wrongly: there is no process-wide noble to fall back on.
  if (!radios) return Promise.reject(new Error('openTarget: a BLE target needs the radios of its owner (the core or the command)'));
  return GatewaySession.openBle({
    ...rest,
    radios,
    selector: target.selector,
    adapter: target.adapter,
    ...(target.socketPath ? { socketPath: target.socketPath } : {}),
    ...(target.scanTimeoutMs !== undefined ? { scanTimeoutMs: target.scanTimeoutMs } : {}),
  });
}

/**
 * Checks, before any other work, that the target's means of reaching it exist: for BLE, that the adapter (or the
 * virtual gateways' socket) is there — so a missing adapter is reported at once, not after a passphrase prompt.
 */
export async function prepareTarget(target: DeviceTarget, radios: BleRadios, logger?: Logger): Promise<void> {
  if (target.kind !== 'ble') return;
  await radios.load(target.adapter, { ...(target.socketPath ? { socketPath: target.socketPath } : {}), ...(logger ? { logger } : {}) });
}

export interface TargetFlags {
  port?: string;
  baud?: number;
  ble?: string;
  bleAdapter?: string;
  bleSocket?: string;
}

/** The target the CLI flags name: exactly one of --port and --ble. */
export function targetFromFlags(flags: TargetFlags, env: NodeJS.ProcessEnv = process.env): DeviceTarget {
  const port = flags.port?.trim();
  const ble = flags.ble?.trim();
  if (port && ble) throw new FieldlineError('INVALID_ARGUMENT', 'give either --port or --ble, not both');
  if (ble) {
    return {
      kind: 'ble',
      selector: ble,
      adapter: resolveBleAdapter(flags.bleAdapter, env),
      ...(flags.bleSocket ? { socketPath: flags.bleSocket } : {}),
    };
  }
  if (port) return { kind: 'serial', path: port, ...(flags.baud !== undefined ? { baudRate: flags.baud } : {}) };
  throw new FieldlineError('INVALID_ARGUMENT', 'name the gateway: --port <path> (USB/serial) or --ble <address|name> (Bluetooth LE)');
}
