/**
 * Device discovery: the gateways the station can see right now. USB serial ports come from listSerialPorts,
 * polled every second (serialport has no hot-plug event on every platform, and a second is what a technician
 * perceives as immediate); ports typed by hand (a virtual gateway's pty, a UART) are present while their path
 * exists. A device that vanishes during a run stays listed as `gone` until its run ends, so the UI can show why
 * the run stopped. Each device is claimed by at most one operation (a run, a drift check) at a time.
 */
import type { Device, DeviceState } from '../contract/devices';
import { FieldlineError, isFieldlineError } from '../errors';
import type { Logger } from '../log';
import { listSerialPorts, type PortInfo } from '../transport/serial';
import type { AppEvents } from './events';
import { checkPortPath, isSerialDevice } from './port-path';
import { cleanHex, cleanSerial } from '../transport/usb-descriptors';

export interface DiscoveryOptions {
  events: AppEvents;
  logger: Logger;
  /** Ports typed on the command line (a station's UARTs, the demo's virtual gateways). */
  extraPorts?: readonly string[];
  pollMs?: number;
  /** Injected for tests. */
  listPorts?: () => Promise<PortInfo[]>;
  isPortPath?: (path: string) => Promise<boolean>;
}

export interface DeviceDiscovery {
  /** First scan, then polling. */
  start(): Promise<void>;
  list(): Device[];
  /** The device, if attached (DEVICE_NOT_FOUND otherwise). */
  get(id: string): Device;
  addPort(path: string): Promise<Device>;
  setState(id: string, state: DeviceState, extra?: { serial?: string; lastRunId?: string }): void;
  /** Marks the device busy; DEVICE_BUSY when it already is. Returns the release function. */
  claim(id: string, what: string): () => void;
  scan(): Promise<void>;
  close(): void;
}

export function createDeviceDiscovery(options: DiscoveryOptions): DeviceDiscovery {
  const { events, logger } = options;
  const listPorts = options.listPorts ?? listSerialPorts;
  const isPortPath = options.isPortPath ?? ((path: string) => isSerialDevice(path));
  const devices = new Map<string, Device>();
  const manual = new Set<string>(options.extraPorts ?? []);
  const busy = new Map<string, string>();
  let usbListing = true;
  let timer: NodeJS.Timeout | undefined;
  let scanning: Promise<void> | undefined;
  let closed = false;

  const idOf = (path: string): string => `serial:${path}`;

  const attach = (device: Device): void => {
    devices.set(device.id, device);
    events.emit('device:attached', device);
  };

  const detach = (id: string): void => {
    const device = devices.get(id);
    if (!device) return;
    if (busy.has(id)) {
      // A run holds it: keep it, as gone, until the run ends (release() removes it then).
      if (device.state !== 'gone') setState(id, 'gone');
      return;
    }
    devices.delete(id);
    events.emit('device:detached', { id });
  };

  function setState(id: string, state: DeviceState, extra: { serial?: string; lastRunId?: string } = {}): void {
    const device = devices.get(id);
    if (!device) return;
    const serial = cleanSerial(extra.serial) ?? device.serial;
    const lastRunId = extra.lastRunId ?? device.lastRunId;
    const next: Device = { ...device, state, ...(serial ? { serial } : {}), ...(lastRunId ? { lastRunId } : {}) };
    devices.set(id, next);
    events.emit('device:state', { id, state, ...(serial ? { serial } : {}), ...(lastRunId ? { lastRunId } : {}) });
  }

  const present = async (): Promise<Map<string, Omit<Device, 'state'>>> => {
    const found = new Map<string, Omit<Device, 'state'>>();
    if (usbListing) {
      try {
        for (const port of await listPorts()) {
          const serial = cleanSerial(port.serialNumber);
          const vid = cleanHex(port.vid);
          const pid = cleanHex(port.pid);
          // Only USB devices are gateways to discover: built-in UARTs (/dev/ttyS*) have no VID and never answer.
          // A UART-attached gateway is added by typing its path.
          if (!vid) continue;
          found.set(idOf(port.path), {
            id: idOf(port.path),
            transport: 'serial',
            path: port.path,
            manual: false,
            ...(serial ? { serial } : {}),
            ...(vid ? { vid } : {}),
            ...(pid ? { pid } : {}),
          });
        }
      } catch (err) {
        // Without udev nothing can be listed; typed ports still work. Said once, not every second.
        usbListing = false;
        logger.warn(isFieldlineError(err, 'UDEV_MISSING') ? 'udevadm is missing: USB ports are not discovered; type port paths instead' : 'listing serial ports failed; discovery stopped', {
          error: (err as Error).message,
        });
      }
    }
    for (const path of manual) {
      if (!found.has(idOf(path)) && (await isPortPath(path))) found.set(idOf(path), { id: idOf(path), transport: 'serial', path, manual: true });
    }
    return found;
  };

  const scanOnce = async (): Promise<void> => {
    const found = await present();
    if (closed) return;
    for (const [id, device] of found) {
      const known = devices.get(id);
      if (!known) attach({ ...device, state: 'idle' });
      else if (known.state === 'gone') setState(id, busy.has(id) ? 'provisioning' : 'idle');
    }
    for (const id of [...devices.keys()]) if (!found.has(id)) detach(id);
  };

  // Scans never overlap: a slow listing (udev on a busy hub) makes the next tick wait, not pile up.
  const scan = (): Promise<void> => (scanning ??= scanOnce().finally(() => (scanning = undefined)));

  return {
    async start() {
      await scan();
      const pollMs = options.pollMs ?? 1000;
      if (pollMs > 0) {
        timer = setInterval(() => void scan().catch((err: unknown) => logger.error('device scan failed', { error: String(err) })), pollMs);
        timer.unref();
      }
    },
    list: () => [...devices.values()],
    get(id) {
      const device = devices.get(id);
      if (!device || device.state === 'gone') throw new FieldlineError('DEVICE_NOT_FOUND', id);
      return device;
    },
    async addPort(raw) {
      const path = await checkPortPath(raw, isPortPath);
      manual.add(path);
      const id = idOf(path);
      const known = devices.get(id);
      if (known) return known;
      const device: Device = { id, transport: 'serial', path, manual: true, state: 'idle' };
      attach(device);
      return device;
    },
    setState,
    claim(id, what) {
      const current = busy.get(id);
      if (current) throw new FieldlineError('DEVICE_BUSY', `${id} is busy (${current})`);
      busy.set(id, what);
      return () => {
        if (busy.get(id) !== what) return;
        busy.delete(id);
        // It vanished while busy: now it can go.
        if (devices.get(id)?.state === 'gone') detach(id);
      };
    },
    scan,
    close() {
      closed = true;
      if (timer) clearInterval(timer);
    },
  };
}
