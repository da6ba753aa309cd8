/**
 * Which Bluetooth adapter noble drives: the machine's own (`system`, the default) or the virtual gateways of a
 * running `fieldline sim --ble`, reached through a local socket (`virtual`). Chosen by `--ble-adapter` or
 * FIELDLINE_BLE_ADAPTER; the socket by FIELDLINE_BLE_SOCKET (default `<tmp>/fieldline-ble.sock`).
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FieldlineError } from '../../errors';

export const BLE_ADAPTERS = ['system', 'virtual'] as const;
export type BleAdapterChoice = (typeof BLE_ADAPTERS)[number];

export const BLE_ADAPTER_ENV = 'FIELDLINE_BLE_ADAPTER';
export const BLE_SOCKET_ENV = 'FIELDLINE_BLE_SOCKET';

export function resolveBleAdapter(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): BleAdapterChoice {
  const value = (flag ?? env[BLE_ADAPTER_ENV] ?? 'system').trim().toLowerCase();
  if ((BLE_ADAPTERS as readonly string[]).includes(value)) return value as BleAdapterChoice;
  throw new FieldlineError('INVALID_ARGUMENT', `Bluetooth adapter "${value}" is not one of: ${BLE_ADAPTERS.join(', ')}`);
}

/** The local socket the virtual BLE gateways listen on (a Unix domain socket path). */
export function defaultBleSocketPath(env: NodeJS.ProcessEnv = process.env): string {
  return env[BLE_SOCKET_ENV] || join(tmpdir(), 'fieldline-ble.sock');
}
