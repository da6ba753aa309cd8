/**
 * The factory line inside the app (issue #6): the zero-touch orchestrator started from the Station screen with a
 * profile, its slots (one per watched port), barcode scans bound to the next or a chosen slot, the line's KPIs and
 * SPC charts, and label printing for passed runs. Everything the Node side returns here is bounded (slots, scans,
 * chart points) so one answer or event stays far below the WebSocket's message limit at 64 slots and a day of runs.
 */
import { z } from 'zod';
import { boundedList, isoTimeSchema, LIMITS, pathSchema, printerAddressSchema, runIdSchema, variablesSchema } from './bounds';
import { FIXTURE_LIMITS } from './fixtures';
import { runOutcomeSchema, stepNameSchema } from './run-record';

export const LINE_LIMITS = {
  /** Slots shown at once: a 64-port hub with room to spare. */
  slots: 512,
  /** Scans waiting for a slot. */
  pendingScans: 256,
  concurrency: 64,
  /** One scanned label as typed (main/station/scan.ts refuses more than 128 characters with its own words). */
  scanChars: 512,
  /** Charts per line, and the most recent points per chart. */
  spcCharts: 32,
  spcPoints: 500,
  spcShifts: 100,
} as const;

export const SlotStateSchema = z.enum(['empty', 'provisioning', 'passed', 'failed', 'remove-me']);

export const ScanBindingSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('serial'), value: z.string().max(LINE_LIMITS.scanChars) }),
  z.object({ kind: z.literal('variable'), name: z.string().max(64), value: z.string().max(LINE_LIMITS.scanChars) }),
]);

const shortError = z.object({ code: z.string().max(64), message: z.string().max(LIMITS.text) });

export const SlotInfoSchema = z.object({
  /** The watched port path: the slot's key. */
  port: z.string().max(LIMITS.path),
  state: SlotStateSchema,
  /** Waiting for a free run (concurrency limit), or for its scan (awaitingScan). */
  queued: z.boolean().optional(),
  /** requireScan: waiting until a serial is scanned for this gateway. */
  awaitingScan: z.boolean().optional(),
  /** Unplugged while its run was still ending. */
  gone: z.boolean().optional(),
  /** Passed in an earlier run (runId names it), this session or before: the line leaves it alone (line:start `reprovision`). */
  previous: z.boolean().optional(),
  source: z.enum(['usb', 'virtual', 'fixed']).optional(),
  /** USB descriptor serial or the virtual gateway's name: known before a run. */
  serialNumber: z.string().max(LIMITS.name).optional(),
  /** Where it is plugged in: the USB hub port path (`1-1.4`), or `virtual/<serial>`; Settings' fixture labels name it. */
  location: z.string().max(FIXTURE_LIMITS.location).optional(),
  runId: runIdSchema.optional(),
  /** The device in devices:list the run is on. */
  deviceId: z.string().max(LIMITS.id).optional(),
  /** The device serial, once identified. */
  serial: z.string().max(LIMITS.name).optional(),
  outcome: runOutcomeSchema.optional(),
  currentStep: stepNameSchema.optional(),
  failedStep: z.string().max(64).optional(),
  error: shortError.optional(),
  startedAt: isoTimeSchema.optional(),
  endedAt: isoTimeSchema.optional(),
  /** What scans bound to this slot. */
  bindings: z
    .object({
      serial: z.string().max(LINE_LIMITS.scanChars).optional(),
      variables: z.record(z.string().max(64), z.string().max(LINE_LIMITS.scanChars)).optional(),
    })
    .optional(),
  /** The label printed automatically after the run passed (or why it was not). */
  label: z.object({ target: z.string().max(LIMITS.path).optional(), bytes: z.number().int().nonnegative().optional(), error: shortError.optional() }).optional(),
});

export const PendingScanSchema = z.object({
  /** A slot's port, or `next` for the next gateway plugged in. */
  slot: z.string().max(LIMITS.path),
  binding: ScanBindingSchema,
  at: isoTimeSchema,
});

export const ParetoEntrySchema = z.object({
  step: z.string().max(64),
  count: z.number().int().nonnegative(),
  share: z.number().min(0).max(1),
  cumulativeShare: z.number().min(0).max(1),
});

export const KpiInfoSchema = z.object({
  units: z.number().int().nonnegative(),
  passed: z.number().int().nonnegative(),
  failed: z.number().int().nonnegative(),
  devices: z.number().int().nonnegative(),
  windowStart: isoTimeSchema.optional(),
  windowEnd: isoTimeSchema.optional(),
  unitsPerHour: z.number().nonnegative().optional(),
  firstPassYield: z.number().min(0).max(1).optional(),
  finalYield: z.number().min(0).max(1).optional(),
  runYield: z.number().min(0).max(1).optional(),
  failuresByStep: boundedList(ParetoEntrySchema, 16),
  cycleTimeMeanMs: z.number().nonnegative().optional(),
  cycleTimeP95Ms: z.number().nonnegative().optional(),
  /** Runs that are not rework runs. */
  firstPassUnits: z.number().int().nonnegative().optional(),
  /** Runs of units that had passed before, counted apart (main/station/kpi.ts). */
  rework: z
    .object({ units: z.number().int().nonnegative(), passed: z.number().int().nonnegative(), failed: z.number().int().nonnegative(), yield: z.number().min(0).max(1).optional() })
    .optional(),
});

export const SpcPointSchema = z.object({
  run: runIdSchema,
  serial: z.string().max(LIMITS.name),
  at: isoTimeSchema,
  value: z.number(),
  /** Inside the profile's limits. */
  passed: z.boolean(),
  /** Inside the profile's limits but outside the control limits. */
  outlier: z.boolean(),
});

export const SpcChartInfoSchema = z.object({
  name: z.string().max(LIMITS.name),
  unit: z.string().max(32).optional(),
  /** Measurements the limits were computed over (all of them, even when only the latest points are sent). */
  n: z.number().int().nonnegative(),
  /** Earlier points left out of `points`. */
  omitted: z.number().int().nonnegative(),
  points: boundedList(SpcPointSchema, LINE_LIMITS.spcPoints),
  mean: z.number(),
  stdDev: z.number().optional(),
  sigma: z.number().optional(),
  ucl: z.number().optional(),
  lcl: z.number().optional(),
  outliers: z.number().int().nonnegative(),
  shifts: boundedList(z.object({ side: z.enum(['above', 'below']), from: z.number().int(), to: z.number().int() }), LINE_LIMITS.spcShifts),
});

const bySlotSchema = z
  .record(z.string().max(LIMITS.path), KpiInfoSchema)
  .refine((r) => Object.keys(r).length <= LINE_LIMITS.slots, `at most ${LINE_LIMITS.slots} slots`);

export const LineKpisSchema = z.object({
  /** When these figures were computed. */
  at: isoTimeSchema,
  /** The runs of this line session (since Start line). */
  session: KpiInfoSchema,
  bySlot: bySlotSchema,
  /** Every finished run of the station today (local midnight on), line or clicked; no failure Pareto (summaries only). */
  today: KpiInfoSchema,
  spc: boundedList(SpcChartInfoSchema, LINE_LIMITS.spcCharts),
});

export const LineStatusSchema = z.object({
  running: z.boolean(),
  /** Stop was asked: the runs under way are being cancelled and rolled back. */
  stopping: z.boolean(),
  profile: z.object({ path: z.string().max(LIMITS.path), name: z.string().max(LIMITS.name), version: z.string().max(64) }).optional(),
  concurrency: z.number().int().min(1).max(LINE_LIMITS.concurrency),
  /** A gateway is provisioned only once a scan bound a serial to it. */
  requireScan: z.boolean(),
  /** Bluetooth LE gateways heard by the line's continuous scans join it too (line:start `ble`). */
  ble: z.boolean().optional(),
  /** Gateways that passed before with this profile are provisioned again (line:start `reprovision`). */
  reprovision: z.boolean().optional(),
  /** A rework session: gateways that passed before are provisioned again, their identity kept or replaced. */
  rework: z.enum(['keep', 'replace']).optional(),
  variables: z.record(z.string(), z.string()),
  startedAt: isoTimeSchema.optional(),
  pendingScans: boundedList(PendingScanSchema, LINE_LIMITS.pendingScans),
  /** Where labels of passing runs go automatically: the configured printer, or none. */
  printer: z.string().max(LIMITS.path).optional(),
});

export const LineStateSchema = LineStatusSchema.extend({
  slots: boundedList(SlotInfoSchema, LINE_LIMITS.slots),
  kpis: LineKpisSchema,
});

export const LabelPrintSchema = z.object({
  runId: runIdSchema,
  serial: z.string().max(LIMITS.name),
  /** `printer:host:port` or `file:<path>`, as the audit log records it. */
  target: z.string().max(LIMITS.path),
  /** Written to this file (no printer given or configured). */
  file: z.string().max(LIMITS.path).optional(),
  bytes: z.number().int().nonnegative(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
});

export const lineMethods = {
  'line:state': { args: z.tuple([]), result: LineStateSchema },
  /** Starts watching ports and provisioning every gateway plugged in with the profile (LINE_RUNNING if it runs). */
  'line:start': {
    args: z.tuple([
      z
        .object({
          /** One of the paths profiles:list offered. */
          profilePath: pathSchema,
          concurrency: z.number().int().min(1).max(LINE_LIMITS.concurrency).optional(),
          variables: variablesSchema,
          requireScan: z.boolean().optional(),
          /** Scan for Bluetooth LE gateways while the line runs; each one heard is provisioned like a plugged-in board. */
          ble: z.boolean().optional(),
          /** Provision again the gateways whose last run with this profile passed; by default they show "passed earlier". Same as rework: replace. */
          reprovision: z.boolean().optional(),
          /**
           * Rework: the gateways that passed before are provisioned again with the profile's `identity.existing` set to
           * this (keep: the certificate in service is verified and kept; replace: a new one, the old one revoked).
           */
          rework: z.enum(['keep', 'replace']).optional(),
          /** On a station that follows a release channel, use a profile that is not one of its releases (an override; audited). */
          allowUnreleased: z.boolean().optional(),
        })
        .strict(),
    ]),
    result: LineStateSchema,
  },
  /** Cancels the runs under way (they roll back), stops watching; answers once every run has ended. */
  'line:stop': { args: z.tuple([]), result: LineStateSchema },
  /** A scanned label: binds a serial or `name=value` variable to the next slot, or to the slot given. */
  'line:scan': {
    // Control characters are left to parseScan, which names the one it found (a GS1 separator, an escape).
    args: z.tuple([z.object({ text: z.string().min(1).max(LINE_LIMITS.scanChars), slot: pathSchema.optional() }).strict()]),
    result: z.object({ slot: z.string().max(LIMITS.path), binding: ScanBindingSchema }),
  },
  /** The operator's Stop on one slot: its run is cancelled and rolls back, or it leaves the queue (SLOT_NOT_FOUND). */
  'line:slot-stop': { args: z.tuple([z.object({ port: pathSchema }).strict()]), result: LineStateSchema },
  /** Start or Retry one slot whose run ended without passing, its gateway still plugged in (SLOT_BUSY, SLOT_NOT_FOUND). */
  'line:slot-start': { args: z.tuple([z.object({ port: pathSchema }).strict()]), result: LineStateSchema },
  /** The label of a passed run, to `printer`, else the configured printer, else a file in `<dataDir>/labels/`. Audited. */
  'runs:print-label': {
    args: z.tuple([z.object({ runId: runIdSchema, printer: printerAddressSchema.optional() }).strict()]),
    result: LabelPrintSchema,
  },
} as const;

export const lineEvents = {
  /** Running or not, profile, pending scans: on start, stop and every scan. */
  'line:status': LineStatusSchema,
  'line:slot': SlotInfoSchema,
  /** Recomputed at most about once a second while runs end. */
  'line:kpis': LineKpisSchema,
} as const;

export type SlotInfo = z.output<typeof SlotInfoSchema>;
export type SlotStateName = z.output<typeof SlotStateSchema>;
export type ScanBindingInfo = z.output<typeof ScanBindingSchema>;
export type PendingScanInfo = z.output<typeof PendingScanSchema>;
export type KpiInfo = z.output<typeof KpiInfoSchema>;
export type SpcChartInfo = z.output<typeof SpcChartInfoSchema>;
export type LineKpisInfo = z.output<typeof LineKpisSchema>;
export type LineStatus = z.output<typeof LineStatusSchema>;
export type LineState = z.output<typeof LineStateSchema>;
export type LabelPrint = z.output<typeof LabelPrintSchema>;
export type LineStartArgs = z.output<(typeof lineMethods)['line:start']['args']>[0];
