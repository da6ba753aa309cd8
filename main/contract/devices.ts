/**
 * Devices: the gateways the station can see — USB serial ports as they are plugged in and out, ports typed by hand
 * (a pseudo-terminal of a virtual gateway, a UART), and Bluetooth LE gateways found by a scan (`devices:scan-ble`)
 * — each with the state of its last run.
 */
import { z } from 'zod';
import { boundedList, deviceIdSchema, LIMITS, pathSchema, plainText, runIdSchema } from './bounds';

/** Received signal strength in dBm: Bluetooth reports −127…+20 (127 means "not available" and is not sent). */
export const rssiSchema = z.number().int().min(-127).max(20);

export const DEVICE_STATES = ['idle', 'provisioning', 'passed', 'failed', 'gone'] as const;
export const DeviceStateSchema = z.enum(DEVICE_STATES);

export const DeviceSchema = z.object({
  /** Stable while the device is attached: `serial:<path>` for a serial port, `ble:<address>` for a BLE gateway. */
  id: deviceIdSchema,
  transport: z.enum(['serial', 'ble']),
  /** The port path (or BLE address). */
  path: pathSchema,
  /** BLE: the advertised name ("FL-…"), when the gateway advertises one. */
  name: plainText(LIMITS.name).optional(),
  /** BLE: the latest received signal strength, dBm (−127 = unknown, as Bluetooth reports it). */
  rssi: rssiSchema.optional(),
  /** The gateway's serial: the USB serial number, replaced by what `identify` read once a run has seen it. */
  serial: plainText(LIMITS.name).optional(),
  vid: plainText(8).optional(),
  pid: plainText(8).optional(),
  /** True for a port typed by hand (not found by discovery). */
  manual: z.boolean(),
  state: DeviceStateSchema,
  lastRunId: runIdSchema.optional(),
});

/** How long one Bluetooth scan listens: long enough to hear every advertising gateway, short enough to wait for. */
export const BLE_SCAN_LIMITS = { minMs: 500, maxMs: 30_000, defaultMs: 4000 } as const;

/** The adapter a scan used: this machine's (`system`) or the virtual gateways of `fieldline sim --ble`. */
export const BleAdapterSchema = z.enum(['system', 'virtual']);

export const BleScanResultSchema = z.object({
  adapter: BleAdapterSchema,
  durationMs: z.number().int().min(0).max(BLE_SCAN_LIMITS.maxMs * 2),
  /** The BLE gateways heard by this scan (strongest first), as listed in `devices:list`. */
  devices: boundedList(DeviceSchema),
});

export const deviceMethods = {
  'devices:list': {
    args: z.tuple([]),
    result: boundedList(DeviceSchema),
  },
  /** A port discovery cannot list (a pty, a UART): it must exist and be a character device. */
  'devices:add-port': {
    args: z.tuple([z.object({ path: pathSchema }).strict()]),
    result: DeviceSchema,
  },
  /**
   * Listens for Bluetooth LE gateways advertising the SMP service for `durationMs` (default 4 s); each one heard
   * joins the device list (`device:attached`, then `device:rssi` as its signal changes). A scan already under way is
   * joined, not doubled. BLE_NO_ADAPTER / BLE_ADAPTER_OFF / BLE_PERMISSION / BLE_VIRTUAL_UNREACHABLE when the radio
   * cannot be used.
   */
  'devices:scan-ble': {
    args: z.tuple([
      z
        .object({ durationMs: z.number().int().min(BLE_SCAN_LIMITS.minMs).max(BLE_SCAN_LIMITS.maxMs).optional() })
        .strict()
        .optional(),
    ]),
    result: BleScanResultSchema,
  },
} as const;

export const deviceEvents = {
  'device:attached': DeviceSchema,
  'device:detached': z.object({ id: deviceIdSchema }),
  'device:state': z.object({ id: deviceIdSchema, state: DeviceStateSchema, serial: plainText(LIMITS.name).optional(), lastRunId: runIdSchema.optional() }),
  /** A BLE gateway heard again during a scan with another signal strength (at most a few a second per gateway). */
  'device:rssi': z.object({ id: deviceIdSchema, rssi: rssiSchema }),
} as const;

export type Device = z.output<typeof DeviceSchema>;
export type BleScanResult = z.output<typeof BleScanResultSchema>;
export type BleAdapter = z.output<typeof BleAdapterSchema>;
export type DeviceState = z.output<typeof DeviceStateSchema>;
