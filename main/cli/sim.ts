/**
 * `fieldline sim`: virtual gateways on pseudo-terminals, for development, demos and the tests (DESIGN.md, "Testing
 * without hardware"); `fieldline sim make-image`: a synthetic MCUboot image to upload to them.
 *
 * `sim` has both an action and a subcommand. Commander allows that, but option parsing needs positional options
 * on the root and on `sim`: otherwise `sim make-image --version 1.2.0` would be taken as the root's `--version`,
 * and `sim make-image --json` as the parent's `--json`.
 */
import { Command } from 'commander';
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { KeyObject } from 'node:crypto';
import { FieldlineError } from '../errors';
import { makeMcubootImage, parseMcubootImage } from '../device/mcuboot-image';
import { readSigningKey, signMcubootImage } from '../device/mcuboot-sign';
import { readRegularFile } from '../profiles/regular-file';
import { faultHelp } from '../simulator/runtime/faults';
import { DEFAULT_BAUD, DEFAULT_BUF_COUNT, DEFAULT_BUF_SIZE, LIMITS, startSimulator } from '../simulator/runtime/simulator';
import { startBleSimulator } from '../simulator/ble/simulator';
import { DEFAULT_LINK, LINK_LIMITS } from '../simulator/ble/link-model';
import { defaultBleSocketPath } from '../transport/ble/adapter-choice';
import type { DeviceDelays } from '../simulator/device/config';
import type { StartVirtualGateway } from '../core/profile-test';
import type { FirmwareKey } from '../device/firmware-keys';
import { readFirmwareKeyFile } from '../profiles/signing-keys';
import { cliLogger, print, printJson, type OutputOptions } from './output';

interface SimOptions extends OutputOptions {
  count: number;
  stateDir?: string;
  baud: number;
  bufSize: number;
  bufCount: number;
  fault: string[];
  seed?: number;
  firmwareVersion?: string;
  delay: Partial<DeviceDelays>;
  smpV1?: boolean;
  ble?: boolean;
  bleSocket?: string;
  mtu: number;
  connInterval: number;
  packetsPerEvent: number;
  reassembly: boolean;
  fsShell: boolean;
  requireSigned: string[];
}

/** Options that only mean something for BLE gateways, by their commander keys. */
const BLE_ONLY = ['bleSocket', 'mtu', 'connInterval', 'packetsPerEvent', 'reassembly'] as const;
/** Options only serial gateways take. */
const SERIAL_ONLY = ['baud'] as const;

interface MakeImageOptions extends OutputOptions {
  version: string;
  size: number;
  output?: string;
  signKey?: string;
}

const DELAY_NAMES: ReadonlyArray<keyof DeviceDelays> = ['flashWritePerKiB', 'erase', 'keyGeneration', 'reboot'];

function intArg(name: string, [min, max]: readonly [number, number]) {
  return (value: string): number => {
    const n = /^\d+$/.test(value.trim()) ? Number(value) : NaN;
    if (!Number.isSafeInteger(n) || n < min || n > max) {
      throw new FieldlineError('INVALID_ARGUMENT', `${name} must be an integer from ${min} to ${max}, not "${value}"`);
    }
    return n;
  };
}

function numberArg(name: string, [min, max]: readonly [number, number]) {
  return (value: string): number => {
    const n = /^\d+(?:\.\d+)?$/.test(value.trim()) ? Number(value) : NaN;
    if (!(n >= min && n <= max)) throw new FieldlineError('INVALID_ARGUMENT', `${name} must be a number from ${min} to ${max}, not "${value}"`);
    return n;
  };
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function collectDelay(value: string, previous: Partial<DeviceDelays>): Partial<DeviceDelays> {
  const match = /^([A-Za-z]+)=(\d+(?:\.\d+)?)$/.exec(value.trim());
  const name = DELAY_NAMES.find((n) => n === match?.[1]);
  if (!match || !name) {
    throw new FieldlineError('INVALID_ARGUMENT', `--delay takes NAME=MS with NAME one of ${DELAY_NAMES.join(', ')}, not "${value}"`);
  }
  return { ...previous, [name]: Number(match[2]) };
}

const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/**
 * Resolves on the first SIGINT, SIGTERM or SIGHUP — or when the process that started us is gone (we were
 * re-parented): a launcher such as `npx` does not pass its own SIGTERM on, and gateways nobody can stop
 * would be left behind. A second signal while stopping exits at once (the exit hook kills socat).
 */
function untilStopped(): Promise<string> {
  return new Promise((resolveStop) => {
    const parent = process.ppid;
    const watchParent = setInterval(() => {
      if (process.ppid !== parent) stop('parent exited');
    }, 500);
    watchParent.unref();
    const onSignal = (signal: NodeJS.Signals): void => stop(signal);
    const stop = (why: string): void => {
      clearInterval(watchParent);
      for (const sig of STOP_SIGNALS) {
        process.removeListener(sig, onSignal);
        process.once(sig, () => process.exit(128 + (sig === 'SIGINT' ? 2 : sig === 'SIGTERM' ? 15 : 1)));
      }
      resolveStop(why);
    };
    for (const sig of STOP_SIGNALS) process.on(sig, onSignal);
  });
}

/** A private key file for `make-image --sign-key`, read like any file named on the command line: regular, capped. */
async function readSigningKeyFile(file: string): Promise<KeyObject> {
  const bytes = await readRegularFile(file, { maxBytes: 64 * 1024, what: 'signing key' });
  return readSigningKey(Buffer.from(bytes).toString('utf8'), file);
}

/** `--require-signed` keys, read before any gateway starts: a bad key file stops the command (exit 2), not a boot. */
async function readBootKeys(opts: SimOptions): Promise<FirmwareKey[]> {
  return Promise.all(opts.requireSigned.map((file) => readFirmwareKeyFile(file)));
}

/** Flags given on the command line that do not apply to this kind of gateway: an error, not silently ignored. */
function refuseMisplaced(command: Command, keys: readonly string[], fix: string): void {
  const flags = keys
    .filter((key) => command.getOptionValueSource(key) === 'cli')
    .map((key) => command.options.find((o) => o.attributeName() === key)?.long ?? key);
  if (flags.length > 0) throw new FieldlineError('INVALID_ARGUMENT', `${flags.join(', ')} ${flags.length === 1 ? 'applies' : 'apply'} ${fix}`);
}

async function runSim(opts: SimOptions, command: Command): Promise<void> {
  if (opts.ble) {
    refuseMisplaced(command, SERIAL_ONLY, 'only to serial gateways (a BLE link is modelled by --mtu, --conn-interval and --packets-per-event): drop it');
    return runBleSim(opts);
  }
  refuseMisplaced(command, BLE_ONLY, 'only to BLE gateways: add --ble');
  const logger = cliLogger(opts, 'sim');
  const bootKeys = await readBootKeys(opts);
  // Listen before starting: a SIGTERM during start-up then stops cleanly instead of killing us mid-way.
  const stopped = untilStopped();
  const sim = await startSimulator({
    count: opts.count,
    baud: opts.baud,
    bufSize: opts.bufSize,
    bufCount: opts.bufCount,
    faults: opts.fault,
    delays: opts.delay,
    smpV1Only: opts.smpV1 === true,
    fsShell: opts.fsShell,
    bootKeys,
    logger,
    ...(opts.stateDir === undefined ? {} : { stateDir: resolve(opts.stateDir) }),
    ...(opts.seed === undefined ? {} : { seed: opts.seed }),
    ...(opts.firmwareVersion === undefined ? {} : { firmwareVersion: opts.firmwareVersion }),
  });
  if (opts.json) {
    for (const g of sim.gateways) printJson({ serial: g.serial, port: g.port });
    // stdout carries exactly one line per gateway; the seed that reproduces random faults goes to stderr.
    if (opts.fault.length > 0 && opts.seed === undefined) process.stderr.write(`fieldline sim: fault seed ${sim.seed}\n`);
  } else {
    const lines = [
      `${sim.gateways.length} virtual gateway${sim.gateways.length === 1 ? '' : 's'} ` +
        `(baud ${opts.baud || 'unthrottled'}, buf ${opts.bufSize}×${opts.bufCount}${opts.fault.length ? `, faults seed ${sim.seed}` : ''}):`,
      `  ${'SERIAL'.padEnd(18)}PORT`,
      ...sim.gateways.map((g) => `  ${g.serial.padEnd(18)}${g.port}`),
      'Open a port with e.g. `fieldline smp echo hello -p PORT`. Ctrl+C stops.',
    ];
    process.stdout.write(lines.join('\n') + '\n');
  }
  const signal = await stopped;
  logger.info('stopping', { signal });
  await sim.stop();
  process.exitCode = 0;
}

/** `sim --ble`: the same devices and faults as serial gateways, as BLE peripherals behind a local socket. */
async function runBleSim(opts: SimOptions): Promise<void> {
  const logger = cliLogger(opts, 'sim');
  const bootKeys = await readBootKeys(opts);
  const stopped = untilStopped();
  const socketPath = resolve(opts.bleSocket ?? defaultBleSocketPath());
  const sim = await startBleSimulator({
    count: opts.count,
    bufSize: opts.bufSize,
    bufCount: opts.bufCount,
    faults: opts.fault,
    delays: opts.delay,
    smpV1Only: opts.smpV1 === true,
    fsShell: opts.fsShell,
    logger,
    socketPath,
    deviceMtu: opts.mtu,
    connIntervalMs: opts.connInterval,
    packetsPerEvent: opts.packetsPerEvent,
    reassembly: opts.reassembly,
    bootKeys,
    ...(opts.stateDir === undefined ? {} : { stateDir: resolve(opts.stateDir) }),
    ...(opts.seed === undefined ? {} : { seed: opts.seed }),
    ...(opts.firmwareVersion === undefined ? {} : { firmwareVersion: opts.firmwareVersion }),
  });
  if (opts.json) {
    for (const g of sim.gateways) printJson({ serial: g.serial, name: g.name, address: g.address, transport: 'ble', socket: sim.socketPath });
    if (opts.fault.length > 0 && opts.seed === undefined) process.stderr.write(`fieldline sim: fault seed ${sim.seed}\n`);
  } else {
    const { deviceMtu, connIntervalMs, packetsPerEvent } = sim.link;
    const lines = [
      `${sim.gateways.length} virtual BLE gateway${sim.gateways.length === 1 ? '' : 's'} ` +
        `(MTU ${deviceMtu}, interval ${connIntervalMs} ms, ${packetsPerEvent} packets/event, reassembly ${sim.reassembly ? 'on' : 'off'}, ` +
        `buf ${opts.bufSize}×${opts.bufCount}${opts.fault.length ? `, faults seed ${sim.seed}` : ''}) on ${sim.socketPath}:`,
      `  ${'SERIAL'.padEnd(18)}${'NAME'.padEnd(13)}ADDRESS`,
      ...sim.gateways.map((g) => `  ${g.serial.padEnd(18)}${g.name.padEnd(13)}${g.address}`),
      'Reach one with e.g. `fieldline smp echo hello --ble NAME --ble-adapter virtual`' +
        (sim.socketPath === resolve(defaultBleSocketPath()) ? '.' : ` and FIELDLINE_BLE_SOCKET=${sim.socketPath}.`) +
        ' Ctrl+C stops.',
    ];
    process.stdout.write(lines.join('\n') + '\n');
  }
  const signal = await stopped;
  logger.info('stopping', { signal });
  await sim.stop();
  process.exitCode = 0;
}

/**
 * The throwaway gateway of `fieldline profile test`: unthrottled, fast reboots, no flash or key-generation delays.
 * It is made here because this file is production code's one named way into the simulator (eslint.config.js);
 * provisioning receives it as a function.
 */
export const startProfileTestGateway: StartVirtualGateway = async ({ logger, firmwareVersion, faults }) => {
  const sim = await startSimulator({
    count: 1,
    baud: 0,
    logger,
    delays: { reboot: 100, erase: 0, flashWritePerKiB: 0, keyGeneration: 0 },
    ...(firmwareVersion ? { firmwareVersion } : {}),
    ...(faults?.length ? { faults } : {}),
  });
  const [gateway] = sim.gateways;
  if (!gateway) {
    await sim.stop();
    throw new Error('the simulator started no gateway');
  }
  return { port: gateway.port, stop: () => sim.stop() };
};

async function runMakeImage(opts: MakeImageOptions): Promise<void> {
  const unsigned = makeMcubootImage({ version: opts.version, size: opts.size });
  const image = opts.signKey === undefined ? unsigned : signMcubootImage(unsigned, await readSigningKeyFile(opts.signKey), opts.signKey);
  const file = resolve(opts.output ?? `image-${opts.version}.bin`);
  await writeFile(file, image);
  const hash = Buffer.from(parseMcubootImage(image).hash ?? new Uint8Array()).toString('hex');
  print(opts, { file, size: image.length, version: opts.version, hash }, () => `${file}: MCUboot image ${opts.version}, ${image.length} bytes, hash ${hash}`);
}

const BLE_HELP = [
  'BLE gateways (--ble): each advertises the SMP service as FL-<last 8 hex digits of its serial> from a static',
  '  random address (c0:…), accepts one central at a time and answers over notifications. The radio link is',
  '  modelled: ATT MTU = min(asked, --mtu); every --conn-interval the link carries --packets-per-event link-layer',
  '  packets each way, an ATT value of v bytes costing ceil((v + 7) / 251) of them; so 498 (two full packets) is',
  '  the efficient MTU. Faults apply as for serial gateways; disconnect:after=N,back=MS drops the link and the',
  '  gateway advertises again MS later; a reset drops it until the gateway has booted.',
].join('\n');

export function registerSimCommands(program: Command): void {
  program.enablePositionalOptions();
  const sim = program
    .command('sim')
    .description('run virtual gateways on pseudo-terminals (socat), reachable like USB gateways; with --ble, as Bluetooth LE peripherals')
    .enablePositionalOptions()
    .option('-n, --count <n>', `number of gateways (${LIMITS.count[0]}-${LIMITS.count[1]})`, intArg('--count', LIMITS.count), 1)
    .option('--state-dir <dir>', 'keep device state here (one folder per serial); default: a temporary folder removed on exit')
    .option('--baud <rate>', 'UART speed to simulate, 0 = unthrottled', intArg('--baud', LIMITS.baud), DEFAULT_BAUD)
    .option('--buf-size <bytes>', 'SMP buffer size (MCUmgr buf_size)', intArg('--buf-size', LIMITS.bufSize), DEFAULT_BUF_SIZE)
    .option('--buf-count <n>', 'SMP buffer count (MCUmgr buf_count)', intArg('--buf-count', LIMITS.bufCount), DEFAULT_BUF_COUNT)
    .option('--fault <spec>', 'inject a fault (repeatable; specs below)', collect, [])
    .option('--seed <n>', 'seed for random faults, to reproduce a run', intArg('--seed', [0, 0xffffffff]))
    .option('--firmware-version <v>', 'version of the image a fresh device runs (e.g. 1.0.0)')
    .option('--delay <name=ms>', `device timing (repeatable): ${DELAY_NAMES.join(', ')}`, collectDelay, {})
    .option('--smp-v1', 'answer as a server without SMP v2 (reply version 0, legacy rc errors)')
    .option(
      '--require-signed <key.pub.pem>',
      "MCUboot with this built-in signing key (repeatable; PEM public key): an image not signed by it uploads, but the reset erases it and the old image runs on, as MCUboot's boot_validate_slot does",
      collect,
      [],
    )
    .option('--no-fs-shell', 'gateways without the file-system shell (`fs ls`, `fs rm`): files cannot be deleted, as on a build without CONFIG_FILE_SYSTEM_SHELL')
    .option('--ble', 'make Bluetooth LE gateways instead (no ptys; reach them with --ble-adapter virtual; --baud does not apply and is refused)')
    .option('--ble-socket <path>', 'with --ble: the local socket the virtual adapter connects to (default: FIELDLINE_BLE_SOCKET, else <tmp>/fieldline-ble.sock)')
    .option('--mtu <n>', `with --ble: the gateways' largest ATT MTU (${LINK_LIMITS.deviceMtu.join('-')})`, intArg('--mtu', LINK_LIMITS.deviceMtu), DEFAULT_LINK.deviceMtu)
    .option('--conn-interval <ms>', `with --ble: connection interval (${LINK_LIMITS.connIntervalMs.join('-')} ms)`, numberArg('--conn-interval', LINK_LIMITS.connIntervalMs), DEFAULT_LINK.connIntervalMs)
    .option(
      '--packets-per-event <n>',
      `with --ble: link-layer packets (≤ 251 bytes each, LE Data Length Extension) each direction carries per connection event (${LINK_LIMITS.packetsPerEvent.join('-')}); with the interval it caps throughput`,
      intArg('--packets-per-event', LINK_LIMITS.packetsPerEvent),
      DEFAULT_LINK.packetsPerEvent,
    )
    .option('--no-reassembly', 'with --ble: gateways without CONFIG_MCUMGR_TRANSPORT_BT_REASSEMBLY (each write must be a whole SMP packet ≤ MTU−3; MCUmgr params answers ENOTSUP)')
    .option('--json', 'print one JSON line per gateway: {"serial","port"}, or with --ble {"serial","name","address","transport":"ble","socket"}')
    .option('-v, --verbose', 'log to stderr')
    .addHelpText(
      'after',
      `\n${faultHelp()}\n\n${BLE_HELP}\n\nExamples:\n  fieldline sim --count 4 --json\n  fieldline sim --baud 0 --fault drop-reply:p=0.1 --seed 7\n` +
        `  fieldline sim --ble --count 2 --mtu 247 --json\n  fieldline sim make-image --version 1.1.0 --size 131072 -o app.bin`,
    )
    .action(runSim);

  sim
    .command('make-image')
    .description('write a synthetic MCUboot image (valid header and SHA-256 TLV) for upload tests')
    .requiredOption('--version <v>', 'image version, e.g. 1.2.3 or 1.2.3+4')
    .requiredOption('--size <bytes>', 'total file size in bytes', intArg('--size', [64, 0x7fffffff]))
    .option('-o, --output <file>', 'output file (default image-VERSION.bin)')
    .option('--sign-key <private.pem>', 'sign it as imgtool does with this PEM private key (RSA-2048/3072, ECDSA P-256, Ed25519); the key hash and signature TLVs add to --size')
    .option('--json', 'print {"file","size","version","hash"}')
    .action(runMakeImage);
}
