/**
 * startSimulator: N virtual gateways, each on its own pty pair, reachable by the app exactly like USB gateways
 * (DESIGN.md, "Testing without hardware"). Runs are reproducible: serials count up from a fixed base, and fault
 * dice follow the seed (a random one is chosen, logged and returned when none is given).
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FieldlineError } from '../../errors';
import type { Logger } from '../../log';
import { createVirtualDevice, type DeviceConfig, type StatsCounters } from '../device/device';
import type { DeviceDelays } from '../device/config';
import type { FirmwareKey } from '../../device/firmware-keys';
import { GatewayFaults, parseFaultSpecs, type FaultSpec } from './faults';
import { Gateway, type SimDevice } from './gateway';
import type { LinkCounter } from './link';
import { defaultPortsDir } from '../../transport/ports-dir';

export const DEFAULT_SERIAL_BASE = 'F1E1D00000000001';
export const DEFAULT_BAUD = 115200;
/**
 * Nordic's recommended smp_svr netbuf (SMP.md §5) rather than Zephyr's 384: the identity group installs a
 * certificate chain in one request, which needs about 1 KiB. `--buf-size 384` gives a stock Zephyr device.
 */
export const DEFAULT_BUF_SIZE = 2475;
export const DEFAULT_BUF_COUNT = 4;
export const LIMITS = {
  count: [1, 64],
  baud: [0, 10_000_000],
  bufSize: [64, 65535],
  bufCount: [2, 64],
} as const;

/** What every simulator (serial here, BLE in ../ble/) takes: the gateways, their devices and their faults. */
export interface CommonSimulatorOptions {
  count: number;
  /** Persistent state (one folder per serial); a temporary folder, removed on stop, when omitted. */
  stateDir?: string;
  bufSize?: number;
  bufCount?: number;
  faults?: readonly string[];
  seed?: number;
  /** First serial, 16 hex digits; the others count up from it. */
  serialBase?: string;
  firmwareVersion?: string;
  delays?: Partial<DeviceDelays>;
  smpV1Only?: boolean;
  /** Gateways with the file-system shell (`fs ls`, `fs rm`); default true. */
  fsShell?: boolean;
  /** MCUboot's built-in signing keys: images not signed by one of them do not boot (DeviceConfig.bootKeys). */
  bootKeys?: readonly FirmwareKey[];
  logger: Logger;
  /** The device model; tests may substitute one. Defaults to createVirtualDevice. */
  createDevice?: (config: DeviceConfig, stateDir: string) => Promise<SimDevice & { stats: StatsCounters }>;
}

export interface SimulatorOptions extends CommonSimulatorOptions {
  /** Bits per second of each simulated UART; 0 = unthrottled. Default 115200. */
  baud?: number;
  /**
   * Where each gateway's port is announced for hot-plug discovery (main/transport/ports-dir.ts): default `$FIELDLINE_PORTS_DIR`
   * or `<tmpdir>/fieldline-ports`; false = not announced.
   */
  portsDir?: string | false;
}

export interface SimulatedGateway {
  serial: string;
  /** The path the app opens (a symlink to the pty). */
  port: string;
  stateDir: string;
}

export interface RunningSimulator {
  gateways: SimulatedGateway[];
  seed: number;
  stop(): Promise<void>;
}

function checkRange(name: string, value: number, [min, max]: readonly [number, number]): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new FieldlineError('INVALID_ARGUMENT', `${name} must be an integer from ${min} to ${max}, not ${value}`);
  }
}

/** `count` consecutive serials from `base` (16 upper-case hex digits). */
export function makeSerials(base: string, count: number): string[] {
  if (!/^[0-9A-Fa-f]{16}$/.test(base)) {
    throw new FieldlineError('INVALID_ARGUMENT', `serial base "${base}" must be 16 hex digits`);
  }
  const first = BigInt(`0x${base}`);
  if (first + BigInt(count - 1) > 0xffffffffffffffffn) {
    throw new FieldlineError('INVALID_ARGUMENT', `serial base ${base} leaves no room for ${count} gateways`);
  }
  return Array.from({ length: count }, (_, i) => (first + BigInt(i)).toString(16).toUpperCase().padStart(16, '0'));
}

/** The checked options every simulator shares. */
export interface ResolvedCommonOptions {
  bufSize: number;
  bufCount: number;
  specs: FaultSpec[];
  seed: number;
  serials: string[];
}

export function resolveCommonOptions(options: CommonSimulatorOptions): ResolvedCommonOptions {
  const bufSize = options.bufSize ?? DEFAULT_BUF_SIZE;
  const bufCount = options.bufCount ?? DEFAULT_BUF_COUNT;
  checkRange('count', options.count, LIMITS.count);
  checkRange('buf-size', bufSize, LIMITS.bufSize);
  checkRange('buf-count', bufCount, LIMITS.bufCount);
  const specs = parseFaultSpecs(options.faults ?? []);
  const seed = options.seed ?? Math.floor(Math.random() * 0x100000000);
  checkRange('seed', seed, [0, 0xffffffff]);
  const serials = makeSerials(options.serialBase ?? DEFAULT_SERIAL_BASE, options.count);
  return { bufSize, bufCount, specs, seed, serials };
}

/** One gateway's device model, state folder and faults, ready for a runtime (pty or BLE) to drive. */
export interface PreparedDevice {
  serial: string;
  index: number;
  stateDir: string;
  logger: Logger;
  faults: GatewayFaults;
  device: SimDevice & { stats: StatsCounters };
  /** Increments the device's "smp" stats group, as the transport does on a real device. */
  count: (counter: LinkCounter, n?: number) => void;
}

export async function prepareDevice(
  options: CommonSimulatorOptions,
  resolved: ResolvedCommonOptions,
  index: number,
  stateRoot: string,
): Promise<PreparedDevice> {
  const serial = resolved.serials[index] as string;
  const faults = new GatewayFaults(resolved.specs, index, resolved.seed);
  const stateDir = join(stateRoot, serial);
  await mkdir(stateDir, { recursive: true });
  const config: DeviceConfig = {
    serial,
    bufSize: resolved.bufSize,
    bufCount: resolved.bufCount,
    failDiagnostics: faults.failDiagnostics,
    smpV1Only: options.smpV1Only ?? false,
    fsShell: options.fsShell ?? true,
    bootKeys: options.bootKeys ?? [],
    ...(options.firmwareVersion === undefined ? {} : { firmwareVersion: options.firmwareVersion }),
    ...(options.delays === undefined ? {} : { delays: options.delays }),
  };
  const device = await (options.createDevice ?? createVirtualDevice)(config, stateDir);
  return {
    serial,
    index,
    stateDir,
    logger: options.logger.child(`gw${index}`),
    faults,
    device,
    count: (counter, n = 1) => {
      device.stats.smp[counter] += n;
    },
  };
}

export async function startSimulator(options: SimulatorOptions): Promise<RunningSimulator> {
  const baud = options.baud ?? DEFAULT_BAUD;
  checkRange('baud', baud, LIMITS.baud);
  const resolved = resolveCommonOptions(options);
  const { bufSize, bufCount, seed, serials } = resolved;
  const logger = options.logger;
  const portsDir = options.portsDir === false ? undefined : (options.portsDir ?? defaultPortsDir());

  // Pty links live in a private temp folder: socat cannot take paths with commas or colons, which a state
  // folder might have, and a fresh folder means no two simulators fight over a path.
  const runDir = await mkdtemp(join(tmpdir(), 'fieldline-sim-'));
  const stateRoot = options.stateDir ?? join(runDir, 'state');
  const gateways: Gateway[] = [];
  const cleanUp = async (): Promise<void> => {
    await Promise.allSettled(gateways.map((g) => g.stop()));
    // Removes the links and, without --state-dir, the state; a state folder the caller gave is theirs to keep.
    await rm(runDir, { recursive: true, force: true });
  };

  try {
    const started = await Promise.all(
      serials.map(async (serial, index) => {
        const { stateDir, device, faults, count, logger: gwLogger } = await prepareDevice(options, resolved, index, stateRoot);
        const gateway = new Gateway({
          serial,
          appPath: join(runDir, `tty-${serial}`),
          device,
          baud,
          bufSize,
          bufCount,
          smpV1Only: options.smpV1Only ?? false,
          faults,
          count,
          logger: gwLogger,
          ...(portsDir === undefined ? {} : { portsDir }),
        });
        gateways.push(gateway);
        await gateway.start();
        return { serial, port: gateway.port, stateDir };
      }),
    );
    logger.info('simulator started', { count: options.count, baud, bufSize, bufCount, seed, faults: options.faults ?? [] });
    let stopping: Promise<void> | undefined;
    return {
      gateways: started,
      seed,
      stop: () => (stopping ??= cleanUp()),
    };
  } catch (err) {
    await cleanUp();
    throw err;
  }
}
