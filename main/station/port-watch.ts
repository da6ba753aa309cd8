/**
 * Hot-plug port discovery for the station: USB serial ports (a serial port lister, only those with a VID — built-in
 * UARTs never answer — polled every ~500 ms; without udev the USB part is off, said once) plus the simulator's
 * ports directory (main/transport/ports-dir.ts: one symlink per virtual gateway, named after its serial,
 * present only while the gateway listens; watched with fs.watch and polled, since fs.watch may miss events), plus
 * any fixed paths (present while the path is a serial device). Emits `attached` / `detached` per port path.
 */
import { watch, type FSWatcher } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { isFieldlineError } from '../errors';
import { silentLogger, type Logger } from '../log';
import { createSerialPortLister, type PortInfo } from '../transport/serial';
import { cleanHex, cleanSerial } from '../transport/usb-descriptors';

export type PortSource = 'usb' | 'virtual' | 'fixed';

/** A virtual gateway's location: this prefix and its link's name in the ports directory. */
export const VIRTUAL_LOCATION_PREFIX = 'virtual/';

export interface WatchedPort {
  path: string;
  source: PortSource;
  vid?: string;
  pid?: string;
  /** USB descriptor serial, or the virtual gateway's serial (the link's name). */
  serialNumber?: string;
  /**
   * Where it is plugged in, which names its fixture position: the USB hub port path (main/transport/usb-location.ts),
   * `virtual/<link name>` for a virtual gateway (its place in the ports directory, the simulator's hub). Fixed ports
   * have none: their path is their place.
   */
  location?: string;
}

export interface PortWatchEvents {
  attached: (port: WatchedPort) => void;
  detached: (port: WatchedPort) => void;
}

export interface PortWatchOptions {
  /** Watch USB serial ports (default true). */
  usb?: boolean;
  /** The ports directory to watch; false/undefined = none. */
  portsDir?: string | false;
  /** Fixed port paths, present while they exist as serial devices. */
  paths?: readonly string[];
  pollMs?: number;
  logger?: Logger;
  /** Injected for tests. */
  listPorts?: () => Promise<PortInfo[]>;
  isPortPath?: (path: string) => Promise<boolean>;
}

export interface PortWatch {
  /** First scan (its `attached` events included), then watching. */
  start(): Promise<void>;
  stop(): void;
  list(): WatchedPort[];
  on<E extends keyof PortWatchEvents>(event: E, listener: PortWatchEvents[E]): () => void;
  scan(): Promise<void>;
}

/** A character device behind the path (a dangling link — a simulator killed hard — is not a port). */
async function isCharDevice(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isCharacterDevice();
  } catch {
    return false;
  }
}

/**
 * The listener sets of a port watch (USB and ports directory here, BLE in main/core/ble-watch.ts). A listener's throw
 * is logged and never stops the others — the orchestrator's slot bookkeeping is among them.
 */
export function createPortListeners(logger: Logger): Pick<PortWatch, 'on'> & { emit(event: keyof PortWatchEvents, port: WatchedPort): void } {
  const sets: { [E in keyof PortWatchEvents]: Set<PortWatchEvents[E]> } = { attached: new Set(), detached: new Set() };
  return {
    on(event, listener) {
      sets[event].add(listener);
      return () => void sets[event].delete(listener);
    },
    emit(event, port) {
      for (const l of [...sets[event]]) {
        try {
          l(port);
        } catch (err) {
          logger.error('port listener failed', { event, error: err instanceof Error ? err.message : String(err) });
        }
      }
    },
  };
}

export function createPortWatch(options: PortWatchOptions): PortWatch {
  const logger = options.logger ?? silentLogger;
  // This watch's own lister: it remembers its udevadm check, so a poll spawns no process.
  const listPorts = options.listPorts ?? createSerialPortLister().list;
  const isPortPath = options.isPortPath ?? isCharDevice;
  const portsDir = options.portsDir || undefined;
  const listeners = createPortListeners(logger);
  const known = new Map<string, WatchedPort>();
  let usb = options.usb ?? true;
  let timer: NodeJS.Timeout | undefined;
  let watcher: FSWatcher | undefined;
  let scanning: Promise<void> | undefined;
  let again = false;
  let stopped = false;


  const present = async (): Promise<Map<string, WatchedPort>> => {
    const found = new Map<string, WatchedPort>();
    if (usb) {
      try {
        for (const p of await listPorts()) {
          const vid = cleanHex(p.vid);
          if (!vid) continue;
          const pid = cleanHex(p.pid);
          const serialNumber = cleanSerial(p.serialNumber);
          const location = p.location;
          found.set(p.path, { path: p.path, source: 'usb', vid, ...(pid ? { pid } : {}), ...(serialNumber ? { serialNumber } : {}), ...(location ? { location } : {}) });
        }
      } catch (err) {
        usb = false;
        logger.warn(isFieldlineError(err, 'UDEV_MISSING') ? 'udevadm is missing: USB ports are not discovered' : 'listing serial ports failed: USB discovery stopped', {
          error: (err as Error).message,
        });
      }
    }
    if (portsDir) {
      const names = await readdir(portsDir).catch(() => [] as string[]);
      await Promise.all(
        names
          .filter((n) => !n.startsWith('.'))
          .map(async (name) => {
            const path = join(portsDir, name);
            const serialNumber = cleanSerial(name);
            if (await isPortPath(path)) found.set(path, { path, source: 'virtual', ...(serialNumber ? { serialNumber, location: `${VIRTUAL_LOCATION_PREFIX}${serialNumber}` } : {}) });
          }),
      );
    }
    for (const path of options.paths ?? []) {
      if (!found.has(path) && (await isPortPath(path))) found.set(path, { path, source: 'fixed' });
    }
    return found;
  };

  const scanOnce = async (): Promise<void> => {
    const found = await present();
    if (stopped) return;
    for (const [path, port] of found) {
      if (known.has(path)) continue;
      known.set(path, port);
      listeners.emit('attached', port);
    }
    for (const [path, port] of [...known]) {
      if (found.has(path)) continue;
      known.delete(path);
      listeners.emit('detached', port);
    }
  };

  // Scans never overlap; a request during a scan runs one more after it (a link made mid-scan is not missed).
  const scan = (): Promise<void> => {
    if (scanning) {
      again = true;
      return scanning;
    }
    scanning = (async () => {
      do {
        again = false;
        await scanOnce();
      } while (again && !stopped);
    })().finally(() => (scanning = undefined));
    return scanning;
  };

  const safeScan = (): void => void scan().catch((err: unknown) => logger.error('port scan failed', { error: String(err) }));

  return {
    async start() {
      if (portsDir) {
        try {
          watcher = watch(portsDir, () => safeScan());
          watcher.on('error', () => {
            watcher?.close();
            watcher = undefined;
          });
        } catch {
          // The directory does not exist yet (no simulator has run): polling finds it once it does.
        }
      }
      await scan();
      const pollMs = options.pollMs ?? 500;
      if (pollMs > 0 && !stopped) {
        timer = setInterval(safeScan, pollMs);
        timer.unref();
      }
    },
    stop() {
      stopped = true;
      if (timer) clearInterval(timer);
      watcher?.close();
    },
    list: () => [...known.values()],
    on(event, listener) {
      return listeners.on(event, listener);
    },
    scan,
  };
}
