/**
 * Bluetooth LE gateways for the line: a PortWatch (main/station/port-watch.ts) over discovery's BLE devices, so the
 * orchestrator sees a gateway heard over the air as it sees a board plugged into the hub — its address is the slot's
 * "port", and a gateway nobody has heard for a while (discovery's bleForgetMs: switched off, carried away) is its
 * unplugging. While the line runs it scans again and again (scanMs, then a pause), through discovery, so the
 * Devices screen shows the same gateways and a scan pressed there joins the line's.
 *
 * The gateways are `fixed` ports to the station's rules: BLE has no USB ids, and its serial is only known once a
 * run has identified it.
 */
import type { Device } from '../contract/devices';
import { isFieldlineError } from '../errors';
import type { Logger } from '../log';
import { createPortListeners, type PortWatch, type WatchedPort } from '../station/port-watch';
import type { DeviceDiscovery } from './devices';
import type { AppEvents } from './events';

export interface BleWatchOptions {
  devices: DeviceDiscovery;
  events: AppEvents;
  logger: Logger;
  /** How long each scan listens (default 4 s) and the pause between scans (default 1 s; 15 s after a failed one). */
  scanMs?: number;
  pauseMs?: number;
  failedPauseMs?: number;
}

const portOf = (device: Device): WatchedPort => ({ path: device.path, source: 'fixed' });

export function createBleWatch(options: BleWatchOptions): PortWatch {
  const { devices, events, logger } = options;
  const scanMs = options.scanMs ?? 4000;
  const pauseMs = options.pauseMs ?? 1000;
  const failedPauseMs = options.failedPauseMs ?? 15_000;
  const listeners = createPortListeners(logger);
  const known = new Map<string, WatchedPort>();
  const offs: Array<() => void> = [];
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  let lastError: string | undefined;

  const attached = (device: Device): void => {
    if (stopped || device.transport !== 'ble' || device.state === 'gone' || known.has(device.path)) return;
    const port = portOf(device);
    known.set(port.path, port);
    listeners.emit('attached', port);
  };
  const detached = (id: string): void => {
    if (stopped || !id.startsWith('ble:')) return;
    const path = id.slice('ble:'.length);
    const port = known.get(path);
    if (!port) return;
    known.delete(path);
    listeners.emit('detached', port);
  };

  /** Discovery's BLE devices now: new ones attach, vanished ones detach (events may have been missed by no one, but this is cheap). */
  const sync = (): void => {
    const present = new Map(devices.list().filter((d) => d.transport === 'ble' && d.state !== 'gone').map((d) => [d.path, d]));
    for (const path of [...known.keys()]) if (!present.has(path)) detached(`ble:${path}`);
    for (const device of present.values()) attached(device);
  };

  const loop = async (): Promise<void> => {
    if (stopped) return;
    let wait = pauseMs;
    try {
      await devices.scanBle(scanMs);
      if (lastError !== undefined) logger.info('Bluetooth scanning works again');
      lastError = undefined;
    } catch (err) {
      wait = failedPauseMs;
      const text = err instanceof Error ? err.message : String(err);
      // Said once per distinct reason, not every few seconds for a whole shift.
      if (text !== lastError && !isFieldlineError(err, 'CANCELLED')) logger.warn('the line cannot scan for Bluetooth gateways; USB gateways are not affected', { error: text });
      lastError = text;
    }
    if (stopped) return;
    sync();
    timer = setTimeout(() => void loop(), wait);
    timer.unref?.();
  };

  return {
    async start() {
      offs.push(
        events.on('device:attached', attached),
        events.on('device:detached', ({ id }) => detached(id)),
      );
      sync();
      // Not awaited: a scan takes seconds, and the line answers line:start at once.
      void loop();
    },
    stop() {
      stopped = true;
      clearTimeout(timer);
      for (const off of offs.splice(0)) off();
    },
    list: () => [...known.values()],
    on: listeners.on,
    scan: async () => sync(),
  };
}

/** Several watches as one: the line's USB and ports-directory watch, and the Bluetooth one. */
export function combineWatches(watches: readonly PortWatch[]): PortWatch {
  return {
    async start() {
      await Promise.all(watches.map((w) => w.start()));
    },
    stop() {
      for (const w of watches) w.stop();
    },
    list: () => watches.flatMap((w) => w.list()),
    on(event, listener) {
      const offs = watches.map((w) => w.on(event, listener));
      return () => {
        for (const off of offs) off();
      };
    },
    async scan() {
      await Promise.all(watches.map((w) => w.scan()));
    },
  };
}
