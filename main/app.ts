/**
 * The app on the core (main/core/core.ts, which owns the store, the station CA, profiles, the runner, the queue and
 * labels): device discovery and the UI's services over it — the run manager, the factory line, drift and
 * replacement on a listed device, the station status — from one data directory. The CLI's station
 * server, Electron's main process and the tests all call createApp and serve what it returns — `handlers` for every
 * contract method and `events` for every contract event — over their own transport.
 */
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { MethodHandlers } from './contract/dispatch';
import type { Logger } from './log';
import type { BleAdapter } from './contract/devices';
import { bleConfigFrom, createBleScanner, type BleScanner } from './app/ble';
import type { BackoffPolicy } from './sync/backoff';
import { createDeviceDiscovery } from './app/devices';
import { createDriftService } from './app/drift';
import { createReplaceService } from './app/replace';
import type { AppEvents } from './core/events';
import { createHandlers } from './app/handlers';
import { createLineService } from './app/line';
import { createRunManager } from './app/runs';
import type { SecretStore } from './core/secrets';
import { createStationStatus } from './app/station';
import { createCore } from './core/core';

export type { SecretStore } from './core/secrets';
export type { AppEvents } from './core/events';

export interface AppOptions {
  /** Already resolved (resolveDataDir, or Electron's userData). */
  dataDir: string;
  logger: Logger;
  /** Electron's safeStorage on the desktop; default: owner-only files in the data directory. */
  secrets?: SecretStore;
  /** Port paths discovery cannot list (ptys of virtual gateways, UARTs): present while the path exists. */
  extraPorts?: readonly string[];
  /** The example profiles offered beside the imported ones; default the repository's resources/profiles. */
  examplesDir?: string;
  /** Default FIELDLINE_CA_PASSPHRASE: unlocks the CA at start. */
  caPassphrase?: string;
  /** Shown by app:version; default package.json's. */
  appInfo?: { name: string; version: string };
  /** Recorded in every run; default the host name. */
  stationName?: string;
  /** Refuse profiles not signed by a trusted publisher. */
  requireSignedProfiles?: boolean;
  /** Discovery poll interval (default 1000 ms; 0 = scan only on start and devices:add-port). */
  pollMs?: number;
  /** Sync tuning (tests and the demo shorten the back-off). */
  sync?: { backoff?: Partial<BackoffPolicy>; pollMs?: number };
  /** Device timings: per-request timeout and how long a reboot may take. */
  device?: { timeoutMs?: number; rebootTimeoutMs?: number; baudRate?: number };
  /**
   * The zero-touch line (Station screen): where virtual gateways are announced (default `$FIELDLINE_PORTS_DIR` or
   * `<tmp>/fieldline-ports`; false: none), whether USB ports are watched (default true), the scan interval.
   */
  line?: { portsDir?: string | false; usb?: boolean; pollMs?: number; kpiIntervalMs?: number };
  /**
   * Bluetooth LE: the adapter (default: the Settings choice, else FIELDLINE_BLE_ADAPTER, else this machine's — a
   * choice made in Settings wins over this one), the virtual gateways' socket (default FIELDLINE_BLE_SOCKET or
   * <tmp>/fieldline-ble.sock), how long an unheard gateway stays listed, and a scanner (tests).
   */
  ble?: { adapter?: BleAdapter; socketPath?: string; forgetMs?: number; scanner?: BleScanner };
}

export interface FieldlineApp {
  readonly handlers: MethodHandlers;
  readonly events: AppEvents;
  readonly dataDir: string;
  /** Cancels the runs under way (they roll back), stops discovery and sync, closes the store. */
  close(): Promise<void>;
}

function packageInfo(): { name: string; version: string } {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { name?: unknown; version?: unknown };
    return { name: 'Fieldline', version: typeof pkg.version === 'string' ? pkg.version : '0.0.0' };
  } catch {
    // Bundled builds (Electron) pass appInfo; a missing package.json is no reason to fail.
    return { name: 'Fieldline', version: '0.0.0' };
  }
}

export const DEFAULT_EXAMPLES_DIR = fileURLToPath(new URL('../resources/profiles', import.meta.url));

export async function createApp(options: AppOptions): Promise<FieldlineApp> {
  const { dataDir } = options;
  const logger = options.logger;
  const core = createCore({
    dataDir,
    logger,
    station: { name: options.stationName ?? hostname() },
    caPassphrase: options.caPassphrase ?? process.env['FIELDLINE_CA_PASSPHRASE'],
    examplesDir: options.examplesDir ?? DEFAULT_EXAMPLES_DIR,
    requireSignedProfiles: options.requireSignedProfiles ?? false,
    secrets: options.secrets,
    sync: options.sync,
  });
  const { events, station, ca } = core;
  // The core closes last: what is built here on top of it (the line, the run manager, discovery) closes first.
  const closers: Array<() => Promise<void> | void> = [() => core.close()];
  try {
    // The station opens its store at once (unlike a CLI command): a damaged store stops the start, with its code.
    const store = core.store();
    const settings = await core.settings();
    await core.startStation();

    // noble is loaded by the first scan or BLE run, never here, through the core's radios: closing the core releases
    // them (the virtual socket, the scan).
    const ble = bleConfigFrom({
      setting: () => settings.bleAdapter(),
      ...(options.ble?.adapter ? { adapter: options.ble.adapter } : {}),
      ...(options.ble?.socketPath ? { socketPath: options.ble.socketPath } : {}),
    });
    const devices = createDeviceDiscovery({
      events,
      logger: logger.child('devices'),
      extraPorts: options.extraPorts ?? [],
      pollMs: options.pollMs ?? 1000,
      ble: options.ble?.scanner ?? createBleScanner(ble, core.radios, logger.child('ble')),
      ...(options.ble?.forgetMs !== undefined ? { bleForgetMs: options.ble.forgetMs } : {}),
    });
    closers.unshift(() => devices.close());
    const profiles = core.profiles();
    const queue = await core.queue();

    // Declared before the run manager, which tells it about runs starting and ending.
    let activeRuns = (): number => 0;
    const status = createStationStatus({
      events,
      dataDir,
      online: () => queue.status().online,
      queueSize: () => {
        const q = queue.status();
        return q.pending + q.inFlight;
      },
      activeRuns: () => activeRuns(),
      operator: () => settings.operator(),
      caReady: () => ca.ready,
    });
    closers.unshift(() => status.close());

    const runs = createRunManager({
      events,
      devices,
      profiles,
      ca,
      store,
      run: core.runner.run,
      station,
      operator: () => settings.operator(),
      logger: logger.child('runs'),
      onActiveChange: () => status.refresh(),
      ble,
      radios: core.radios,
      ...options.device,
    });
    activeRuns = () => runs.activeCount;
    // Runs first: they roll back through the store, which closes last.
    closers.unshift(() => runs.close());

    const labels = await core.labels();
    const line = createLineService({
      events,
      devices,
      runs,
      profiles,
      ca,
      store,
      labels,
      station,
      printer: () => settings.printer(),
      logger: logger.child('line'),
      ...options.line,
    });
    // Before the runs: the line stops first (cancelling its runs through the run manager), then the run manager.
    closers.unshift(() => line.close());

    const drift = createDriftService({ devices, profiles, store, station, operator: () => settings.operator(), logger: logger.child('drift'), ble, radios: core.radios, ...options.device });
    const replace = createReplaceService({ devices, profiles, store, ca, run: core.runner.run, station, operator: () => settings.operator(), logger: logger.child('replace'), ble, radios: core.radios, ...options.device });
    await devices.start();

    const handlers = createHandlers({ appInfo: options.appInfo ?? packageInfo(), dataDir, events, devices, runs, profiles, queue, drift, replace, settings, ca, station: status, line, labels, ble });
    let closing: Promise<void> | undefined;
    return {
      handlers,
      events,
      dataDir,
      close: () => (closing ??= closeAll(closers)),
    };
  } catch (err) {
    await closeAll(closers);
    throw err;
  }
}

async function closeAll(closers: ReadonlyArray<() => Promise<void> | void>): Promise<void> {
  for (const close of closers) {
    try {
      await close();
    } catch {
      // Closing is best effort: one part failing to close must not keep the others open.
    }
  }
}
