/**
 * startBleSimulator: N virtual gateways as BLE peripherals (no ptys), reachable through the virtual noble binding
 * on a local socket (`fieldline sim --ble`; DESIGN.md, "Testing without hardware"). The devices, faults, serials
 * and seed are the serial simulator's (runtime/simulator.ts), so a BLE gateway behaves as its serial twin does;
 * only the transport differs: GATT with a modelled radio link instead of a throttled UART.
 *
 *   const sim = await startBleSimulator({ count: 2, socketPath, logger });
 *   // … createVirtualBinding({ socketPath }) in the app …
 *   await sim.stop();
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FieldlineError } from '../../errors';
import { defaultBleSocketPath } from '../../transport/ble/adapter-choice';
import { createRng } from '../runtime/faults';
import { prepareDevice, resolveCommonOptions, type CommonSimulatorOptions } from '../runtime/simulator';
import { BleGateway } from './ble-gateway';
import { rssiLevel } from './identity';
import { DEFAULT_LINK, LINK_LIMITS, type LinkClock, type LinkParameters } from './link-model';
import { BleServer } from './server';

export interface BleSimulatorOptions extends CommonSimulatorOptions {
  /** Default: defaultBleSocketPath() (FIELDLINE_BLE_SOCKET, else <tmp>/fieldline-ble.sock). */
  socketPath?: string;
  /** The gateways' largest ATT MTU; default 498. */
  deviceMtu?: number;
  /** Connection interval in ms; default 15. */
  connIntervalMs?: number;
  /** Link-layer packets per direction per connection event; default 4. */
  packetsPerEvent?: number;
  /** CONFIG_MCUMGR_TRANSPORT_BT_REASSEMBLY; default true. */
  reassembly?: boolean;
  /** For tests: the link's clock. */
  clock?: LinkClock;
}

export interface BleSimulatedGateway {
  serial: string;
  name: string;
  address: string;
  stateDir: string;
}

export interface RunningBleSimulator {
  gateways: BleSimulatedGateway[];
  socketPath: string;
  seed: number;
  link: LinkParameters;
  reassembly: boolean;
  /** The gateway objects, for tests that look inside (phase, negotiated MTU). */
  peripherals: readonly BleGateway[];
  stop(): Promise<void>;
}

function checkLink(params: LinkParameters): void {
  for (const key of ['deviceMtu', 'connIntervalMs', 'packetsPerEvent'] as const) {
    const [min, max] = LINK_LIMITS[key];
    const v = params[key];
    const integer = key !== 'connIntervalMs';
    if (!Number.isFinite(v) || v < min || v > max || (integer && !Number.isInteger(v))) {
      throw new FieldlineError('INVALID_ARGUMENT', `${key} must be ${integer ? 'an integer' : 'a number'} from ${min} to ${max}, not ${v}`);
    }
  }
}

export async function startBleSimulator(options: BleSimulatorOptions): Promise<RunningBleSimulator> {
  const resolved = resolveCommonOptions(options);
  const link: LinkParameters = {
    deviceMtu: options.deviceMtu ?? DEFAULT_LINK.deviceMtu,
    connIntervalMs: options.connIntervalMs ?? DEFAULT_LINK.connIntervalMs,
    packetsPerEvent: options.packetsPerEvent ?? DEFAULT_LINK.packetsPerEvent,
  };
  checkLink(link);
  const reassembly = options.reassembly ?? true;
  const socketPath = options.socketPath ?? defaultBleSocketPath();
  const logger = options.logger;

  const runDir = await mkdtemp(join(tmpdir(), 'fieldline-blesim-'));
  const stateRoot = options.stateDir ?? join(runDir, 'state');
  const gateways: BleGateway[] = [];
  let server: BleServer | undefined;
  const cleanUp = async (): Promise<void> => {
    await server?.close();
    await Promise.allSettled(gateways.map((g) => g.stop()));
    await rm(runDir, { recursive: true, force: true });
  };

  try {
    const prepared = await Promise.all(resolved.serials.map((_, index) => prepareDevice(options, resolved, index, stateRoot)));
    for (const p of prepared) {
      const gateway: BleGateway = new BleGateway({
        serial: p.serial,
        device: p.device,
        bufSize: resolved.bufSize,
        bufCount: resolved.bufCount,
        smpV1Only: options.smpV1Only ?? false,
        reassembly,
        link,
        faults: p.faults,
        rssiLevel: rssiLevel(p.index),
        // RSSI jitter has its own dice, apart from the faults' (which follow the seed request by request).
        rng: createRng((resolved.seed ^ 0x5eed) + p.index),
        count: p.count,
        logger: p.logger,
        ...(options.clock ? { clock: options.clock } : {}),
        onAdvertising: () => server?.announce(gateway),
      });
      gateways.push(gateway);
    }
    // Listen first (a taken socket fails before any device boots), then boot: gateways advertise as they come up.
    server = await BleServer.listen({ socketPath, gateways, logger: logger.child('ble-server') });
    await Promise.all(gateways.map((g) => g.start()));
    logger.info('BLE simulator started', { count: options.count, socketPath, ...link, reassembly, seed: resolved.seed, faults: options.faults ?? [] });
    let stopping: Promise<void> | undefined;
    return {
      gateways: gateways.map((g, i) => ({ serial: g.serial, name: g.name, address: g.address, stateDir: (prepared[i] as { stateDir: string }).stateDir })),
      socketPath,
      seed: resolved.seed,
      link,
      reassembly,
      peripherals: gateways,
      stop: () => (stopping ??= cleanUp()),
    };
  } catch (err) {
    await cleanUp();
    throw err;
  }
}
