/**
 * Devices: the gateways the station can see — USB serial ports as they are plugged in and out, ports typed by hand
 * (a pseudo-terminal of a virtual gateway, a UART), later BLE peripherals — each with the state of its last run.
 */
import { z } from 'zod';
import { boundedList, deviceIdSchema, LIMITS, pathSchema, plainText, runIdSchema } from './bounds';

export const DEVICE_STATES = ['idle', 'provisioning', 'passed', 'failed', 'gone'] as const;
export const DeviceStateSchema = z.enum(DEVICE_STATES);

export const DeviceSchema = z.object({
  /** Stable while the device is attached: `serial:<path>` for a serial port. */
  id: deviceIdSchema,
  transport: z.enum(['serial', 'ble']),
  /** The port path (or BLE address). */
  path: pathSchema,
  /** The gateway's serial: the USB serial number, replaced by what `identify` read once a run has seen it. */
  serial: plainText(LIMITS.name).optional(),
  vid: plainText(8).optional(),
  pid: plainText(8).optional(),
  /** True for a port typed by hand (not found by discovery). */
  manual: z.boolean(),
  state: DeviceStateSchema,
  lastRunId: runIdSchema.optional(),
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
} as const;

export const deviceEvents = {
  'device:attached': DeviceSchema,
  'device:detached': z.object({ id: deviceIdSchema }),
  'device:state': z.object({ id: deviceIdSchema, state: DeviceStateSchema, serial: plainText(LIMITS.name).optional(), lastRunId: runIdSchema.optional() }),
} as const;

export type Device = z.output<typeof DeviceSchema>;
export type DeviceState = z.output<typeof DeviceStateSchema>;
