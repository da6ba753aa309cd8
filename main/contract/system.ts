/** The app itself: its name and version, the raw serial port list, and the Node side's log lines. */
import { z } from 'zod';
import { boundedList, boundedText, LIMITS } from './bounds';

export const PortInfoSchema = z.object({
  path: z.string().min(1).max(LIMITS.path),
  vid: z.string().max(8).optional(),
  pid: z.string().max(8).optional(),
  serialNumber: z.string().max(LIMITS.name).optional(),
  manufacturer: z.string().max(LIMITS.name).optional(),
});

export const LogLevelSchema = z.enum(['debug', 'info', 'warn', 'error']);

export const systemMethods = {
  'app:version': {
    args: z.tuple([]),
    result: z.object({ name: z.string().max(LIMITS.name), version: z.string().max(64) }),
  },
  'ports:list': {
    args: z.tuple([]),
    result: boundedList(PortInfoSchema, 1024),
  },
} as const;

export const systemEvents = {
  log: z.object({ level: LogLevelSchema, scope: z.string().max(LIMITS.name), message: boundedText() }),
} as const;

export type PortInfo = z.output<typeof PortInfoSchema>;
export type LogLevel = z.output<typeof LogLevelSchema>;
