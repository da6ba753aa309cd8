/**
 * `fieldline station --demo`: everything a newcomer needs to try Fieldline with no hardware, in temporary folders
 * removed on stop — four virtual gateways (the last fails its selftest diagnostic, to show a failed run and its
 * rollback), a reference registry with a token for this station, a data directory with a development CA unlocked
 * by a random passphrase (never shown), and the registry configured. The gateways are announced in a ports
 * directory of the demo's own, which the app's line (Station screen) watches. With `ble`, as many virtual Bluetooth
 * gateways too, on a socket of the demo's own (the app reaches them with its virtual adapter).
 */
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startRegistry, type RunningSqliteRegistry } from '../../registry/server';
import { createToken } from '../../registry/tokens';
import type { Logger } from '../log';
import { initCa } from '../pki/station-ca';
import { startBleSimulator, type RunningBleSimulator } from '../simulator/ble/simulator';
import { startSimulator, type RunningSimulator } from '../simulator/runtime/simulator';
import { saveRegistrySettings } from '../sync/registry-config';

export const DEMO_GATEWAYS = 4;
export const DEMO_STATION = 'demo-station';

export interface Demo {
  dataDir: string;
  caPassphrase: string;
  gateways: Array<{ serial: string; port: string }>;
  registryUrl: string;
  /** Where the demo's gateways are announced: the line (Station screen) watches this folder, not the shared one. */
  portsDir: string;
  /**
   * Plugs `count` more virtual gateways in (serials counting up from `serialBase`, 16 hex digits), announced in
   * portsDir only — as a technician plugging boards into the hub while the line runs. Removed on stop.
   */
  plug(count: number, serialBase: string): Promise<Array<{ serial: string; port: string }>>;
  /** With `ble`: the virtual Bluetooth gateways and the socket the app's virtual adapter reaches them through. */
  ble?: { socketPath: string; gateways: Array<{ serial: string; name: string; address: string }> };
  /** Stops the registry (the queue then grows) and starts it again on the same port and database. */
  registry: { stop(): Promise<void>; start(): Promise<void> };
  stop(): Promise<void>;
}

/** Quick, but slow enough that each step can be seen passing in the UI. */
const DEMO_DELAYS = { reboot: 300, erase: 0, flashWritePerKiB: 0, keyGeneration: 150 };

/** BLE gateways' serials: apart from the USB ones (F1E1D…), so a run record says which gateway it was. */
const DEMO_BLE_SERIAL_BASE = 'F1E1DB1E00000001';

export async function startDemo(logger: Logger, options: { ble?: number } = {}): Promise<Demo> {
  const root = await mkdtemp(join(tmpdir(), 'fieldline-demo-'));
  const dataDir = join(root, 'data');
  await mkdir(dataDir, { mode: 0o700 });
  // A private ports directory: the shared default would hand this demo's line the gateways of any other simulator.
  const portsDir = join(root, 'ports');
  await mkdir(portsDir, { mode: 0o700 });
  let sim: RunningSimulator | undefined;
  const plugged: RunningSimulator[] = [];
  let registry: RunningSqliteRegistry | undefined;
  let bleSim: RunningBleSimulator | undefined;
  const stop = async (): Promise<void> => {
    await Promise.allSettled([sim?.stop(), bleSim?.stop(), registry?.close(), ...plugged.map((p) => p.stop())]);
    await rm(root, { recursive: true, force: true });
  };
  try {
    sim = await startSimulator({
      count: DEMO_GATEWAYS,
      baud: 0,
      faults: [`fail-diag:name=selftest,gw=${DEMO_GATEWAYS - 1}`],
      delays: DEMO_DELAYS,
      portsDir,
      logger: logger.child('sim'),
    });
    if (options.ble) {
      bleSim = await startBleSimulator({ count: options.ble, socketPath: join(root, 'ble.sock'), serialBase: DEMO_BLE_SERIAL_BASE, delays: DEMO_DELAYS, logger: logger.child('ble-sim') });
    }
    const dbFile = join(root, 'registry.db');
    registry = await startRegistry({ dbFile, host: '127.0.0.1', port: 0 });
    const { port, url } = registry;
    saveRegistrySettings(dataDir, { url, token: createToken(registry.db, DEMO_STATION), station: DEMO_STATION });
    const caPassphrase = randomBytes(24).toString('base64url');
    await initCa(dataDir, { passphrase: caPassphrase, organization: 'Fieldline demo' });
    return {
      dataDir,
      caPassphrase,
      gateways: sim.gateways.map((g) => ({ serial: g.serial, port: g.port })),
      registryUrl: url,
      portsDir,
      ...(bleSim ? { ble: { socketPath: bleSim.socketPath, gateways: bleSim.gateways.map((g) => ({ serial: g.serial, name: g.name, address: g.address })) } } : {}),
      plug: async (count, serialBase) => {
        const more = await startSimulator({ count, baud: 0, serialBase, delays: DEMO_DELAYS, portsDir, logger: logger.child('plugged') });
        plugged.push(more);
        return more.gateways.map((g) => ({ serial: g.serial, port: g.port }));
      },
      registry: {
        stop: async () => {
          await registry?.close();
          registry = undefined;
        },
        start: async () => {
          registry ??= await startRegistry({ dbFile, host: '127.0.0.1', port });
        },
      },
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
