/**
 * The API between the UI and the Node side, described once. Each method has a channel name, a zod schema for its
 * argument list and one for its value; each event has a zod schema for its payload. Everything else — the
 * `FieldlineApi` type of `window.fieldline`, the preload bridge, the ipcMain and WebSocket servers — is derived
 * from this description, never written by hand.
 */
import { z } from 'zod';
import type { Result } from './result';

export type { Result } from './result';
export type { ErrorCode, ErrorInfo } from './errors';

export const PortInfoSchema = z.object({
  path: z.string().min(1),
  vid: z.string().optional(),
  pid: z.string().optional(),
  serialNumber: z.string().optional(),
  manufacturer: z.string().optional(),
});

export const LogLevelSchema = z.enum(['debug', 'info', 'warn', 'error']);

interface MethodSpec {
  /** The argument list, as a tuple: `z.tuple([])` for none. */
  readonly args: z.ZodType<readonly unknown[], readonly unknown[]>;
  readonly result: z.ZodType;
}

export const methods = {
  'app:version': {
    args: z.tuple([]),
    result: z.object({ name: z.string(), version: z.string() }),
  },
  'ports:list': {
    args: z.tuple([]),
    result: z.array(PortInfoSchema),
  },
} as const satisfies Record<string, MethodSpec>;

export const events = {
  log: z.object({ level: LogLevelSchema, scope: z.string(), message: z.string() }),
} as const satisfies Record<string, z.ZodType>;

type Methods = typeof methods;
type Events = typeof events;

export type MethodName = keyof Methods;
/** The arguments a caller passes. */
export type MethodArgs<N extends MethodName> = z.input<Methods[N]['args']>;
/** The arguments a handler receives, after parsing. */
export type MethodParams<N extends MethodName> = z.output<Methods[N]['args']>;
export type MethodValue<N extends MethodName> = z.output<Methods[N]['result']>;

export type EventName = keyof Events;
export type EventPayload<E extends EventName> = z.output<Events[E]>;

export type PortInfo = z.output<typeof PortInfoSchema>;
export type LogLevel = z.output<typeof LogLevelSchema>;

export type Unsubscribe = () => void;

/** The shape of `window.fieldline`. */
export type FieldlineApi = {
  readonly invoke: {
    readonly [N in MethodName]: (...args: MethodArgs<N>) => Promise<Result<MethodValue<N>>>;
  };
  readonly on: {
    readonly [E in EventName]: (listener: (payload: EventPayload<E>) => void) => Unsubscribe;
  };
};

export const methodNames = Object.keys(methods) as MethodName[];
export const eventNames = Object.keys(events) as EventName[];

export function isMethodName(value: unknown): value is MethodName {
  return typeof value === 'string' && Object.hasOwn(methods, value);
}

/** Methods travel on their own name (`app:version`); events on `event:<name>`, so the two never collide. */
export function eventChannel(name: EventName): string {
  return `event:${name}`;
}
