/**
 * The station's device services on a core: device discovery (serial ports, the ports directory, Bluetooth LE scans),
 * the run manager that starts runs on listed devices through the core's runner, the zero-touch line, drift and
 * replacement on a listed device, and the station status. The desktop app and station web mode (main/app.ts) put
 * the UI's handlers on top; nothing else assembles these.
 */
import type { BleAdapter } from '../contract/devices';
import type { Logger } from '../log';
import { bleConfigFrom, createBleScanner, type BleConfig, type BleScanner } from './ble';
import type { Core } from './core';
import { createDeviceDiscovery, type DeviceDiscovery } from './devices';
import { createConsoleService, type ConsoleService } from './console/service';
import { createDeviceService, type DeviceService } from './service/station';
import { createDriftService, type DriftService } from './drift-service';
import type { LabelService } from './labels';
import { createLineService, type LineService } from './line';
import type { ProfileLibrary } from './profiles';
import type { QueueService } from './queue';
import { createReplaceService, type ReplaceService } from './replace-service';
import { revocationsOf } from './certificate-status';
import { createCoreRunManager, type RunManager } from './runs';
import type { StationSettings } from './settings';
import { createStationStatus, type StationStatusPublisher } from './station';

export interface StationServicesOptions {
  logger: Logger;
  /** Port paths discovery cannot list (ptys of virtual gateways, UARTs): present while the path exists. */
  extraPorts?: readonly string[];
  /**
   * A ports directory the Devices list reads (virtual gateways announced there by `fieldline sim`, listed as a USB
   * gateway plugged in would be); absent: none read. Not defaulted as the line's is: tests run many simulators that
   * announce in the default directory, and a station listing them all would list other tests' gateways.
   */
  devicesPortsDir?: string;
  /** Discovery poll interval (default 1000 ms; 0 = scan only on start and devices:add-port). */
  pollMs?: number;
  /** Device timings: per-request timeout and how long a reboot may take. */
  device?: { timeoutMs?: number; rebootTimeoutMs?: number; baudRate?: number };
  /** The zero-touch line: the ports directory (false: none), whether USB ports are watched, scan and KPI intervals. */
  line?: { portsDir?: string | false; usb?: boolean; pollMs?: number; kpiIntervalMs?: number };
  /** Bluetooth LE: the adapter, the virtual gateways' socket, how long an unheard gateway stays listed, a scanner (tests). */
  ble?: { adapter?: BleAdapter; socketPath?: string; forgetMs?: number; scanner?: BleScanner };
}

export interface StationServices {
  readonly settings: StationSettings;
  readonly profiles: ProfileLibrary;
  readonly queue: QueueService;
  readonly labels: LabelService;
  /** The Bluetooth LE adapter and socket as chosen now (Settings can change it while the station runs). */
  readonly ble: () => BleConfig;
  readonly devices: DeviceDiscovery;
  readonly status: StationStatusPublisher;
  readonly runs: RunManager;
  readonly line: LineService;
  readonly drift: DriftService;
  readonly replace: ReplaceService;
  /** The device console: one device read or written by hand, claimed for each call. */
  readonly console: ConsoleService;
  /** Field-service actions (inspect, diagnose, remediate, update, renew) on a listed device, each recorded. */
  readonly service: DeviceService;
  /** The line first (its runs roll back), then the other runs, status and discovery; the core is the caller's to close. */
  close(): Promise<void>;
}

export async function openStationServices(core: Core, options: StationServicesOptions): Promise<StationServices> {
  const { events, station, ca, dataDir } = core;
  const logger = options.logger;
  // Closed in this order: what was built last first.
  const closers: Array<() => Promise<void> | void> = [];
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
      ...(options.devicesPortsDir !== undefined ? { portsDir: options.devicesPortsDir } : {}),
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

    const runs = createCoreRunManager(
      core,
      { devices, profiles, operator: () => settings.operator(), logger: logger.child('runs') },
      { onActiveChange: () => status.refresh(), ble, revocations: revocationsOf(core.dataDir), ...options.device },
    );
    activeRuns = () => runs.activeCount;
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
    const deviceConsole = createConsoleService({ devices, profiles, store, visitKit: () => core.visitKit, operator: () => settings.operator(), logger: logger.child('console'), ble, radios: core.radios, ...options.device });
    await devices.start();

    let closing: Promise<void> | undefined;
    const service = createDeviceService({ devices, service: core.service, station, operator: () => settings.operator(), logger: logger.child('service'), ble, radios: core.radios, ...options.device });
    return { settings, profiles, queue, labels, ble, devices, status, runs, line, drift, replace, console: deviceConsole, service, close: () => (closing ??= closeAll(closers)) };
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
