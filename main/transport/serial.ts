/**
 * Serial transport on the real `serialport` package: USB CDC-ACM gateways, UARTs and, in tests, the simulator's
 * pseudo-terminals. A vanished device is noticed actively (the port's path disappearing, or a failed write),
 * because after an unplug the OS may not report anything until the next write.
 */
import { execFileSync } from 'node:child_process';
import { stat } from 'node:fs/promises';
import { SerialPort } from 'serialport';
import { FieldlineError } from '../errors';
import { silentLogger, type Logger } from '../log';
import { openError, vanishedError } from './serial-errors';
import { cleanLocation, linuxUsbLocation } from './usb-location';
import { Listeners, type Transport } from './transport';

export interface PortInfo {
  path: string;
  vid?: string;
  pid?: string;
  serialNumber?: string;
  manufacturer?: string;
  /** The physical hub port path (main/transport/usb-location.ts), when the OS tells it. */
  location?: string;
}

/** Lists serial ports with their USB identity. */
export interface SerialPortLister {
  list(): Promise<PortInfo[]>;
}

/** What serialport's own listing returns. */
type RawPortList = Awaited<ReturnType<typeof SerialPort.list>>;

export interface SerialPortListerOptions {
  /** Test seam: throws when udevadm cannot run (default: runs `udevadm --version`). */
  checkUdev?: () => void;
  /** Test seam: serialport's listing (default SerialPort.list). */
  listRaw?: () => Promise<RawPortList>;
  /** Test seam: a Linux tty's hub port path, read from sysfs (default linuxUsbLocation). */
  locate?: (path: string) => Promise<string | undefined>;
}

/**
 * A lister for one owner (discovery, the port watch, the handlers, one CLI command). Pseudo-terminals (the
 * simulator) never appear in its lists: the CLI and the app accept a typed path too. On Linux serialport spawns
 * `udevadm`, and its spawn error escapes as an uncaught exception, so udevadm is checked first — once per lister,
 * not once per poll (a process spawn a second), and not once per process either: the lister remembers its own check.
 */
export function createSerialPortLister(options: SerialPortListerOptions = {}): SerialPortLister {
  const checkUdev = options.checkUdev ?? ((): void => void execFileSync('udevadm', ['--version'], { stdio: 'ignore' }));
  const listRaw = options.listRaw ?? ((): Promise<RawPortList> => SerialPort.list());
  const locate = options.locate ?? (process.platform === 'linux' ? linuxUsbLocation : async (): Promise<undefined> => undefined);
  // Only Linux's serialport runs udevadm (a test that injects the check wants it run anywhere).
  const needsUdev = process.platform === 'linux' || options.checkUdev !== undefined;
  let udevChecked = !needsUdev;
  return {
    async list() {
      if (!udevChecked) {
        try {
          checkUdev();
        } catch {
          // Not remembered: udevadm installed while the station runs is found by the next list.
          throw new FieldlineError('UDEV_MISSING', 'udevadm was not found, so serial ports cannot be listed');
        }
        udevChecked = true;
      }
      return Promise.all(
        (await listRaw()).map(async (p) => {
          // serialport has a location on macOS and Windows; on Linux sysfs has it.
          const location = cleanLocation(p.locationId) ?? cleanLocation(await locate(p.path));
          return { ...portInfo(p), ...(location ? { location } : {}) };
        }),
      );
    },
  };
}

function portInfo(p: RawPortList[number]): PortInfo {
  return {
    path: p.path,
    ...(p.vendorId ? { vid: p.vendorId.toLowerCase() } : {}),
    ...(p.productId ? { pid: p.productId.toLowerCase() } : {}),
    ...(p.serialNumber ? { serialNumber: p.serialNumber } : {}),
    ...(p.manufacturer ? { manufacturer: p.manufacturer } : {}),
  };
}

export interface SerialOptions {
  baudRate?: number;
  logger?: Logger;
  /** How often the port's path is checked while open, to notice an unplug without waiting for a write. */
  presencePollMs?: number;
}

export class SerialTransport implements Transport {
  readonly kind = 'serial' as const;
  readonly id: string;
  private port: SerialPort | undefined;
  private readonly data = new Listeners<[Uint8Array]>();
  private readonly closed = new Listeners<[Error | undefined]>();
  private presenceTimer: NodeJS.Timeout | undefined;
  private closing = false;
  private readonly logger: Logger;

  constructor(
    readonly path: string,
    private readonly options: SerialOptions = {},
  ) {
    this.id = `serial:${path}`;
    this.logger = options.logger ?? silentLogger;
  }

  get isOpen(): boolean {
    return this.port?.isOpen ?? false;
  }

  async open(): Promise<void> {
    if (this.port?.isOpen) return;
    this.closing = false;
    const port = new SerialPort({ path: this.path, baudRate: this.options.baudRate ?? 115200, autoOpen: false });
    await new Promise<void>((resolve, reject) => port.open((err) => (err ? reject(openError(this.path, err)) : resolve())));
    this.port = port;
    port.on('data', (chunk: Buffer) => this.data.emit(chunk));
    port.on('error', (err: Error) => this.lost(err));
    port.on('close', (err?: Error & { disconnected?: boolean }) => {
      if (this.closing) return;
      this.lost(err);
    });
    const pollMs = this.options.presencePollMs ?? 500;
    if (pollMs > 0) {
      this.presenceTimer = setInterval(() => {
        stat(this.path).catch(() => this.lost(new Error('port path disappeared')));
      }, pollMs);
      this.presenceTimer.unref();
    }
    this.logger.debug('opened', { path: this.path });
  }

  private lost(err?: Error): void {
    if (this.closing) return;
    this.closing = true;
    this.stopPolling();
    const error = vanishedError(this.path, err);
    this.logger.warn('port lost', { path: this.path, error: err?.message });
    const port = this.port;
    this.port = undefined;
    if (port?.isOpen) port.close(() => {});
    this.closed.emit(error);
    this.closed.clear();
  }

  private stopPolling(): void {
    if (this.presenceTimer) clearInterval(this.presenceTimer);
    this.presenceTimer = undefined;
  }

  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    this.stopPolling();
    const port = this.port;
    this.port = undefined;
    if (port?.isOpen) await new Promise<void>((resolve) => port.close(() => resolve()));
    this.closed.emit(undefined);
    this.closed.clear();
  }

  write(data: Uint8Array): Promise<void> {
    const port = this.port;
    if (!port?.isOpen) return Promise.reject(vanishedError(this.path));
    return new Promise<void>((resolve, reject) => {
      port.write(Buffer.from(data.buffer, data.byteOffset, data.byteLength), (err) => {
        if (err) {
          this.lost(err);
          return reject(vanishedError(this.path, err));
        }
        resolve();
      });
    });
  }

  onData(listener: (data: Uint8Array) => void): () => void {
    return this.data.add(listener);
  }

  onClose(listener: (error?: Error) => void): () => void {
    return this.closed.add(listener);
  }
}
