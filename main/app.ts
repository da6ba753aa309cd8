/**
 * The app: the UI's handlers on the core (main/core/core.ts: the store, the station CA, profiles, the runner, the queue
 * and labels) and the station's device services it opens (main/core/station-services.ts: discovery, the run manager,
 * the factory line, drift and replacement on a listed device, the station status). The CLI's station
 * server, Electron's main process and the tests all call createApp and serve what it returns — `handlers` for every
 * contract method and `events` for every contract event — over their own transport.
 */
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { MethodHandlers } from './contract/dispatch';
import type { Logger } from './log';
import type { BleAdapter } from './contract/devices';
import type { BackoffPolicy } from './sync/backoff';
import type { AppEvents } from './core/events';
import { createHandlers } from './app/handlers';
import { createOperatorSession, type OperatorSession, type SetTimer } from './app/operator-session';
import type { SecretStore } from './core/secrets';
import { createCore } from './core/core';
import { createAppDoctor } from './core/doctor/app-doctor';
import type { BleScanner } from './core/ble';
import { openStationServices, type StationServices } from './core/station-services';
import { lineSessionReport } from './core/line-heartbeat';

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
  /** A ports directory the Devices list reads: virtual gateways announced there are listed (absent: none read). */
  devicesPortsDir?: string;
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
  /** The operator sessions' monotonic clock and idle-lock timer (tests move time instead of waiting). */
  sessions?: { now?: () => number; setTimer?: SetTimer };
}

/** One window's or tab's way into the app: its calls, checked for its own operator. */
export interface AppSession extends Pick<OperatorSession, 'mayListen' | 'onChange' | 'close'> {
  readonly handlers: MethodHandlers;
}

export interface FieldlineApp {
  /**
   * The handlers of one session opened with the app, for a front end with a single user (tests, scripts): on a
   * station with operators it too must sign in (session:sign-in) before anything else answers.
   */
  readonly handlers: MethodHandlers;
  /** A session of its own for each window (Electron) or WebSocket connection (the station server). */
  openSession(): AppSession;
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
  const { dataDir, logger } = options;
  const core = createCore({
    dataDir,
    logger,
    station: { name: options.stationName ?? hostname() },
    caPassphrase: options.caPassphrase ?? process.env['FIELDLINE_CA_PASSPHRASE'],
    caPin: process.env['FIELDLINE_PKCS11_PIN'],
    examplesDir: options.examplesDir ?? DEFAULT_EXAMPLES_DIR,
    requireSignedProfiles: options.requireSignedProfiles ?? false,
    secrets: options.secrets,
    sync: options.sync,
  });
  let services: StationServices;
  try {
    services = await openStationServices(core, options);
    services.queue.describeStation({ version: (options.appInfo ?? packageInfo()).version, lineSession: lineSessionReport(services.line) });
  } catch (err) {
    await core.close();
    throw err;
  }
  const { events, ca } = core;
  const { devices, runs, profiles, queue, drift, replace, settings, status, line, labels, ble, console: deviceConsole, service } = services;
  const handlersFor = createHandlers({ appInfo: options.appInfo ?? packageInfo(), dataDir, events, devices, runs, profiles, queue, drift, replace, console: deviceConsole, service, settings, ca, station: status, line, labels, ble, doctor: createAppDoctor(core), audit: (entry) => core.store().appendAudit(entry) });
  const openSession = (): AppSession => {
    const session = createOperatorSession({ operators: core.operators, idleLockMs: () => settings.idleLockMinutes() * 60_000, ...options.sessions });
    return { handlers: handlersFor(session), mayListen: session.mayListen, onChange: session.onChange, close: session.close };
  };
  const { handlers } = openSession();
  let closing: Promise<void> | undefined;
  const close = async (): Promise<void> => {
    // The services first (the line and runs roll back through the store), then the core, which closes the store last.
    await services.close();
    await core.close();
  };
  return { handlers, openSession, events, dataDir, close: () => (closing ??= close()) };
}
