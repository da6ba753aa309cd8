/**
 * The flags that name a gateway, shared by every command that talks to one: `--port` for USB/serial, or `--ble` for
 * Bluetooth LE with the adapter to use. Exactly one of --port and --ble is required (checked when the command runs,
 * so --help shows both).
 */
import { Command, Option } from 'commander';
import { FieldlineError } from '../errors';
import { targetFromFlags, type DeviceTarget } from '../device/target';
import { BLE_ADAPTERS, BLE_ADAPTER_ENV, BLE_SOCKET_ENV } from '../transport/ble/adapter-choice';
import { createBleRadios, type BleRadios } from '../transport/ble/noble';
import { reportError, type OutputOptions } from './output';

export interface TargetCliOptions {
  port?: string;
  baud: number;
  ble?: string;
  bleAdapter?: string;
  bleSocket?: string;
}

export const BLE_HELP = `
Bluetooth LE:
  --ble <address|name> reaches the gateway over the air instead of --port: its Bluetooth address (c0:12:…) or the
  name it advertises (\`fieldline ble scan\` lists the gateways in range).
  --ble-adapter system  this machine's Bluetooth adapter, through noble (the default, unless ${BLE_ADAPTER_ENV} says
                        otherwise).
  --ble-adapter virtual the virtual gateways of a running \`fieldline sim --ble\`, reached through a local socket
                        (--ble-socket, or ${BLE_SOCKET_ENV}; default <tmp>/fieldline-ble.sock).
  On Linux noble talks to the adapter through raw HCI sockets, which need the CAP_NET_RAW and CAP_NET_ADMIN
  capabilities. Grant them to Node once instead of running as root:
    sudo setcap cap_net_raw,cap_net_admin+eip "$(readlink -f "$(command -v node)")"
  and keep the adapter powered (bluetoothctl power on). A gateway built with authenticated SMP (Zephyr's default
  MCUMGR_TRANSPORT_BT_PERM_RW_AUTHEN) must be paired first (bluetoothctl pair <address>).`;

/** Adds --port/--baud and the BLE flags to a command. */
export function addTargetOptions(command: Command, portHelp = 'serial port of the gateway (e.g. /dev/ttyACM0, or a path printed by `fieldline sim`)'): Command {
  return command
    .option('-p, --port <path>', portHelp)
    .option('-b, --baud <rate>', 'baud rate (serial)', baudArg, 115200)
    .option('--ble <address|name>', 'Bluetooth LE gateway, by address or advertised name (instead of --port)')
    .addOption(new Option('--ble-adapter <adapter>', `Bluetooth adapter: system or virtual (default: ${BLE_ADAPTER_ENV}, else system)`).choices([...BLE_ADAPTERS]))
    .option('--ble-socket <path>', `virtual adapter: the socket of \`fieldline sim --ble\` (default: ${BLE_SOCKET_ENV} or <tmp>/fieldline-ble.sock)`)
    .addHelpText('after', BLE_HELP);
}

function baudArg(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1200 || n > 10_000_000) {
    throw new FieldlineError('INVALID_ARGUMENT', `--baud must be an integer from 1200 to 10000000, not "${value}"`);
  }
  return n;
}

export function targetOf(opts: TargetCliOptions): DeviceTarget {
  return targetFromFlags(opts);
}

/**
 * noble keeps its HCI socket (or the virtual adapter's socket) open for the life of the process, which would keep
 * a finished command from exiting: release what can be released once a BLE command is done, and — since noble's
 * HCI binding has no way to close its socket — let the process end shortly after if something still holds it.
 */
export async function finishBle(target: DeviceTarget | undefined, radios: BleRadios): Promise<void> {
  if (target?.kind !== 'ble') return;
  await radios.release();
  setTimeout(() => process.exit(), 500).unref();
}

/**
 * The action of a command that works on one gateway: its target from the flags, then the command's own exit code;
 * anything thrown before the command could report a result is a usage or environment problem (exit 2, or 70 for a
 * bug). The command loads noble (if at all) through the radios it is handed, which this one command owns and releases
 * afterwards.
 */
export async function runOnTarget(opts: TargetCliOptions & OutputOptions, command: (target: DeviceTarget, radios: BleRadios) => Promise<number>): Promise<void> {
  let target: DeviceTarget | undefined;
  const radios = createBleRadios();
  try {
    target = targetOf(opts);
    process.exitCode = await command(target, radios);
  } catch (err) {
    const code = reportError(err, opts.json ?? false);
    process.exitCode = code === 1 ? 2 : code;
  } finally {
    await finishBle(target, radios);
  }
}
