/**
 * The API between the UI and the Node side, described once. Each method has a channel name, a zod schema for its
 * argument list and one for its value; each event has a zod schema for its payload. One file per feature holds
 * them (devices.ts, provisioning.ts, …); this file gathers them. Everything else — the `FieldlineApi` type of
 * `window.fieldline`, the preload bridge, the web bridge, the ipcMain and WebSocket servers — is derived from this
 * description, never written by hand.
 */
import type { z } from 'zod';
import { consoleEvents, consoleMethods } from './console';
import { deviceEvents, deviceMethods } from './devices';
import { doctorMethods } from './doctor';
import { driftEvents, driftMethods } from './drift';
import { lineEvents, lineMethods } from './line';
import { profileEvents, profileMethods } from './profiles';
import { provisioningEvents, provisioningMethods } from './provisioning';
import { queueEvents, queueMethods } from './queue';
import { replaceEvents, replaceMethods } from './replace';
import { serviceEvents, serviceMethods } from './service';
import type { Result } from './result';
import { sessionEvents, sessionMethods } from './session';
import { settingsEvents, settingsMethods } from './settings';
import { stationEvents, stationMethods } from './station';
import { systemEvents, systemMethods } from './system';

export type { Result } from './result';
export type { ErrorCode, ErrorInfo } from './errors';
export { LogLevelSchema, PortInfoSchema, type LogLevel, type PortInfo } from './system';
export type { BleAdapter, BleScanResult, Device, DeviceState } from './devices';
export type { RunLogLine, RunSummary, StepState } from './provisioning';
export type { ProfileDetails, ProfileListItem, ProfileProblemInfo, ProfileSummary, SignatureState } from './profiles';
export type { QueueStatus } from './queue';
export type { Difference, DriftReportInfo } from './drift';
export type { ReplacementInfo } from './replace';
export type { ServiceBasis, ServiceCertificate, ServiceHistoryEntry, ServiceInspection, ServiceResult, ServiceSlot, ServiceTodo } from './service';
export type { StationStatus } from './station';
export type { Settings } from './settings';
export type { DoctorCheck, DoctorReport, DoctorStatus } from './doctor';
export type { SessionState } from './session';
export type { ConsoleFile, ConsoleHash, ConsoleInfo, ConsoleListing, ConsoleSettingNames, ConsoleShell, ConsoleSlot, ConsoleStats, SettingValueEncoding } from './console';
export type { KpiInfo, LabelPrint, LineKpisInfo, LineState, LineStatus, PendingScanInfo, ScanBindingInfo, SlotInfo, SlotStateName, SpcChartInfo } from './line';
export type { DiagnosticResult, RunOutcome, RunRecord, StepName, StepRecord } from './run-record';

interface MethodSpec {
  /** The argument list, as a tuple: `z.tuple([])` for none. */
  readonly args: z.ZodType<readonly unknown[], readonly unknown[]>;
  readonly result: z.ZodType;
}

export const methods = {
  ...systemMethods,
  ...deviceMethods,
  ...provisioningMethods,
  ...profileMethods,
  ...queueMethods,
  ...driftMethods,
  ...replaceMethods,
  ...serviceMethods,
  ...stationMethods,
  ...settingsMethods,
  ...lineMethods,
  ...sessionMethods,
  ...consoleMethods,
  ...doctorMethods,
} as const satisfies Record<string, MethodSpec>;

export const events = {
  ...systemEvents,
  ...deviceEvents,
  ...provisioningEvents,
  ...profileEvents,
  ...queueEvents,
  ...driftEvents,
  ...replaceEvents,
  ...serviceEvents,
  ...stationEvents,
  ...settingsEvents,
  ...lineEvents,
  ...sessionEvents,
  ...consoleEvents,
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

export function isEventName(value: unknown): value is EventName {
  return typeof value === 'string' && Object.hasOwn(events, value);
}

/** Methods travel on their own name (`app:version`); events on `event:<name>`, so the two never collide. */
export function eventChannel(name: EventName): string {
  return `event:${name}`;
}
