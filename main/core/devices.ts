/**
 * Device discovery: the gateways the station can see right now. USB serial ports come from a serial port lister,
 * polled every second (serialport has no hot-plug event on every platform, and a second is what a technician
 * perceives as immediate); ports typed by hand (a virtual gateway's pty, a UART) are present while their path
 * exists. A device that vanishes during a run stays listed as `gone` until its run ends, so the UI can show why
 * the run stopped. Each device is claimed by at most one operation (a run, a drift check) at a time.
 *
 * Bluetooth LE gateways (`ble:<address>`) join the list when a scan hears them (scanBle, on demand: scanning keeps
 * the radio busy, and noble is loaded only then). They stay listed between scans; a scan drops the ones nobody has
 * heard for bleForgetMs, except one in use (a connected gateway stops advertising). RSSI updates are sent as
 * `device:rssi`, at most one per gateway per rssiIntervalMs, the latest value always sent when the scan ends.
 */
import { BLE_SCAN_LIMITS, type BleScanResult, type Device, type DeviceState } from '../contract/devices';
import { FieldlineError, isFieldlineError } from '../errors';
import type { Logger } from '../log';
import { readPortLinks } from '../transport/ports-dir';
import { createSerialPortLister, type PortInfo } from '../transport/serial';
import { noBluetooth, type BleGatewayInfo, type BleScanner } from './ble';
import type { AppEvents } from './events';
import { checkPortPath, isSerialDevice } from './port-path';
import { cleanHex, cleanSerial } from '../transport/usb-descriptors';

export interface DiscoveryOptions {
  events: AppEvents;
  logger: Logger;
  /** Ports typed on the command line (a station's UARTs, the demo's virtual gateways). */
  extraPorts?: readonly string[];
  /**
   * The simulator's ports directory (main/transport/ports-dir.ts): virtual gateways announced there are listed while
   * their link is there, as the line finds them — so a gateway `fieldline sim` starts later appears on the Devices
   * screen as a USB one plugged in would. Absent: not looked at.
   */
  portsDir?: string;
  pollMs?: number;
  /** Injected for tests. */
  listPorts?: () => Promise<PortInfo[]>;
  isPortPath?: (path: string) => Promise<boolean>;
  /** Bluetooth LE scans (main/core/ble.ts); absent: scanBle answers BLE_NO_ADAPTER. */
  ble?: BleScanner;
  /** A BLE gateway not heard for this long is dropped by the next scan (default 30 s). */
  bleForgetMs?: number;
  /** At most one device:rssi per gateway this often (default 500 ms). */
  rssiIntervalMs?: number;
  /** Injected for tests: milliseconds. */
  now?: () => number;
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
  /** Listens for BLE gateways for durationMs (default 4 s); joins a scan already under way. */
  scanBle(durationMs?: number): Promise<BleScanResult>;
  /** Drops the BLE gateways not in use (the adapter changed: they belong to another radio). */
  forgetBle(): void;
  close(): void;
}

// Text from the air (an advertised name, an address from a virtual binding) is shown and sent as is: no control
// characters, bounded, so it fits the contract's plain-text schema.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/g;
const cleanAir = (text: string, max: number): string => text.replace(CONTROL, '').trim().slice(0, max);
const cleanRssi = (rssi: number): number => (Number.isFinite(rssi) ? Math.max(-127, Math.min(20, Math.round(rssi))) : -127);

export function createDeviceDiscovery(options: DiscoveryOptions): DeviceDiscovery {
  const { events, logger } = options;
  // This discovery's own lister: it remembers its udevadm check, so a poll spawns no process.
  const listPorts = options.listPorts ?? createSerialPortLister().list;
  const isPortPath = options.isPortPath ?? ((path: string) => isSerialDevice(path));
  const devices = new Map<string, Device>();
  const manual = new Set<string>(options.extraPorts ?? []);
  const busy = new Map<string, string>();
  let usbListing = true;
  let portsDirListing = true;
  let timer: NodeJS.Timeout | undefined;
  let scanning: Promise<void> | undefined;
  let closed = false;
  const now = options.now ?? Date.now;
  const bleForgetMs = options.bleForgetMs ?? 30_000;
  const rssiIntervalMs = options.rssiIntervalMs ?? 500;
  /** BLE id → when a scan last heard it, when its RSSI was last sent, and the value sent. */
  const heardAt = new Map<string, number>();
  const rssiSent = new Map<string, { at: number; rssi: number }>();
  let bleScan: Promise<BleScanResult> | undefined;
  let bleAbort: AbortController | undefined;

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
    heardAt.delete(id);
    rssiSent.delete(id);
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
        // Without udev nothing can be listed; ports added by hand still work. Said once, not every second.
        usbListing = false;
        logger.warn(isFieldlineError(err, 'UDEV_MISSING') ? 'udevadm is missing: USB ports are not discovered; add them by path (Add port on the Devices screen, or --port)' : 'listing serial ports failed; discovery stopped', {
          error: (err as Error).message,
        });
      }
    }
    for (const path of manual) {
      if (!found.has(idOf(path)) && (await isPortPath(path))) found.set(idOf(path), { id: idOf(path), transport: 'serial', path, manual: true });
    }
    if (options.portsDir !== undefined && portsDirListing) {
      try {
        for (const { serial, port } of await readPortLinks(options.portsDir)) {
          if (found.has(idOf(port)) || !(await isPortPath(port))) continue;
          const clean = cleanSerial(serial);
          found.set(idOf(port), { id: idOf(port), transport: 'serial', path: port, manual: false, ...(clean ? { serial: clean } : {}) });
        }
      } catch (err) {
        // A directory that cannot be read (its permissions changed): said once, not every second; the rest goes on.
        portsDirListing = false;
        logger.warn(`the ports directory ${options.portsDir} cannot be read: virtual gateways announced there are not listed`, { error: (err as Error).message });
      }
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
    // BLE gateways are not listed by the port scan; scanBle keeps them.
    for (const [id, device] of [...devices]) if (!found.has(id) && device.transport !== 'ble') detach(id);
  };

  // Scans never overlap: a slow listing (udev on a busy hub) makes the next tick wait, not pile up.
  const scan = (): Promise<void> => (scanning ??= scanOnce().finally(() => (scanning = undefined)));

  const sendRssi = (id: string, rssi: number): void => {
    rssiSent.set(id, { at: now(), rssi });
    events.emit('device:rssi', { id, rssi });
  };

  /** One advertisement heard: a new gateway is attached, a known one gets its new RSSI (and name). */
  const heard = (info: BleGatewayInfo): void => {
    if (closed) return;
    const path = cleanAir(info.address || info.id, 64);
    if (!path) return;
    const id = `ble:${path}`;
    const name = cleanAir(info.name, 200) || undefined;
    const rssi = cleanRssi(info.rssi);
    heardAt.set(id, now());
    const known = devices.get(id);
    if (!known) {
      attach({ id, transport: 'ble', path, manual: false, state: 'idle', ...(name ? { name } : {}), rssi });
      rssiSent.set(id, { at: now(), rssi });
      return;
    }
    if (name && name !== known.name) {
      // A renamed gateway (rare: a firmware update changes its advertised name): the whole entry again.
      const next: Device = { ...known, name, rssi };
      devices.set(id, next);
      events.emit('device:attached', next);
      rssiSent.set(id, { at: now(), rssi });
      return;
    }
    if (known.rssi === rssi) return;
    devices.set(id, { ...known, rssi });
    const sent = rssiSent.get(id);
    if (!sent || now() - sent.at >= rssiIntervalMs) sendRssi(id, rssi);
  };

  const endBleScan = (): void => {
    for (const [id, device] of devices) {
      if (device.transport !== 'ble') continue;
      // The last value of a burst the rate limit held back.
      if (device.rssi !== undefined && rssiSent.get(id)?.rssi !== device.rssi) sendRssi(id, device.rssi);
      if (!busy.has(id) && now() - (heardAt.get(id) ?? 0) > bleForgetMs) detach(id);
    }
  };

  const runBleScan = async (scanner: BleScanner, durationMs: number): Promise<BleScanResult> => {
    const started = now();
    const controller = new AbortController();
    bleAbort = controller;
    try {
      const { adapter, gateways } = await scanner.scan({ durationMs, signal: controller.signal, onUpdate: heard });
      if (closed) throw new FieldlineError('CANCELLED', 'the station is closing');
      endBleScan();
      const found: Device[] = [];
      for (const g of gateways) {
        const device = devices.get(`ble:${cleanAir(g.address || g.id, 64)}`);
        if (device) found.push(device);
      }
      const elapsed = Math.max(0, Math.min(BLE_SCAN_LIMITS.maxMs * 2, Math.round(now() - started)));
      logger.info('Bluetooth scan done', { adapter, heard: found.length, ms: elapsed });
      return { adapter, durationMs: elapsed, devices: found };
    } finally {
      if (bleAbort === controller) bleAbort = undefined;
    }
  };

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
        // A BLE gateway was just talked to: as good as heard (it did not advertise while connected).
        if (devices.get(id)?.transport === 'ble') heardAt.set(id, now());
        // It vanished while busy: now it can go.
        if (devices.get(id)?.state === 'gone') detach(id);
      };
    },
    scan,
    scanBle(durationMs = BLE_SCAN_LIMITS.defaultMs) {
      const scanner = options.ble;
      if (!scanner) return Promise.reject(noBluetooth());
      if (closed) return Promise.reject(new FieldlineError('CANCELLED', 'the station is closing'));
      const bounded = Math.max(BLE_SCAN_LIMITS.minMs, Math.min(BLE_SCAN_LIMITS.maxMs, Math.round(durationMs)));
      return (bleScan ??= runBleScan(scanner, bounded).finally(() => (bleScan = undefined)));
    },
    forgetBle() {
      for (const [id, device] of [...devices]) if (device.transport === 'ble' && !busy.has(id)) detach(id);
    },
    close() {
      closed = true;
      if (timer) clearInterval(timer);
      bleAbort?.abort();
    },
  };
}
