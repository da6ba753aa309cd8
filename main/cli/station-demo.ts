/**
 * `fieldline station --demo`: everything a newcomer needs to try Fieldline with no hardware, in temporary folders
 * removed on stop — four virtual gateways (the last fails its selftest diagnostic, to show a failed run and its
 * rollback), a reference registry with a token for this station, a data directory with a development CA unlocked
 * by a random passphrase (never shown), and the registry configured.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startRegistry, type RunningRegistry } from '../../registry/server';
import { createToken } from '../../registry/tokens';
import type { Logger } from '../log';
import { initCa } from '../pki/station-ca';
import { startSimulator, type RunningSimulator } from '../simulator/runtime/simulator';
import { saveRegistrySettings } from '../sync/registry-config';

export const DEMO_GATEWAYS = 4;
export const DEMO_STATION = 'demo-station';

export interface Demo {
  dataDir: string;
  caPassphrase: string;
  gateways: Array<{ serial: string; port: string }>;
  registryUrl: string;
  /** Stops the registry (the queue then grows) and starts it again on the same port and database. */
  registry: { stop(): Promise<void>; start(): Promise<void> };
  stop(): Promise<void>;
}

export async function startDemo(logger: Logger): Promise<Demo> {
  const root = await mkdtemp(join(tmpdir(), 'fieldline-demo-'));
  const dataDir = join(root, 'data');
  await mkdir(dataDir, { mode: 0o700 });
  let sim: RunningSimulator | undefined;
  let registry: RunningRegistry | undefined;
  const stop = async (): Promise<void> => {
    await Promise.allSettled([sim?.stop(), registry?.close()]);
    await rm(root, { recursive: true, force: true });
  };
  try {
    sim = await startSimulator({
      count: DEMO_GATEWAYS,
      baud: 0,
      faults: [`fail-diag:name=selftest,gw=${DEMO_GATEWAYS - 1}`],
      // Quick, but slow enough that each step can be seen passing in the UI.
      delays: { reboot: 300, erase: 0, flashWritePerKiB: 0, keyGeneration: 150 },
      logger: logger.child('sim'),
    });
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
