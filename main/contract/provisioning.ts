/**
 * Provisioning runs: start one on a device with a profile and batch variables, cancel it, and follow it live
 * (steps, progress with bytes/s, log lines, diagnostics, the outcome). Finished runs are read back as run records.
 */
import { z } from 'zod';
import { boundedList, boundedText, deviceIdSchema, isoTimeSchema, LIMITS, pathSchema, runIdSchema, variablesSchema } from './bounds';
import { progressSchema } from './progress';
import { ErrorInfoSchema } from './result';
import { diagnosticResultSchema, runOutcomeSchema, runRecordSchema, stepNameSchema } from './run-record';
import { RUNS_LIST_MAX, RunFilterSchema } from './runs-filter';
import { CertificateStatusSchema } from './certificate-status';

export const RunSummarySchema = z.object({
  id: runIdSchema,
  serial: z.string().max(LIMITS.name),
  profile: z.string().max(LIMITS.name),
  profileVersion: z.string().max(64),
  station: z.string().max(LIMITS.name),
  outcome: runOutcomeSchema,
  startedAt: isoTimeSchema,
  endedAt: z.string().max(40),
  errorCode: z.string().max(64).optional(),
});

export const RunLogLevelSchema = z.enum(['debug', 'info', 'warn', 'error']);

export const RunLogLineSchema = z.object({
  at: isoTimeSchema,
  level: RunLogLevelSchema,
  message: boundedText(),
});

/** `running` while the step is under way; then the step record's outcome. */
export const StepStateSchema = z.enum(['running', 'passed', 'failed', 'skipped']);

export const provisioningMethods = {
  'provision:start': {
    args: z.tuple([
      z
        .object({
          deviceId: deviceIdSchema,
          /** One of the paths profiles:list offered; anything else is refused. */
          profilePath: pathSchema,
          variables: variablesSchema,
          /** Replace an identity the device already holds (its old key is destroyed). */
          reprovision: z.boolean().optional(),
          /** On a station that follows a release channel, use a profile that is not one of its releases (an override; audited). */
          allowUnreleased: z.boolean().optional(),
        })
        .strict(),
    ]),
    result: z.object({ runId: runIdSchema }),
  },
  'provision:cancel': {
    args: z.tuple([z.object({ runId: runIdSchema }).strict()]),
    /** false when the run had already finished. */
    result: z.object({ cancelled: z.boolean() }),
  },
  /** A run record: from the store, or as far as it has got while the run is under way. */
  'runs:get': {
    args: z.tuple([z.object({ runId: runIdSchema }).strict()]),
    result: runRecordSchema,
  },
  /** Where the run's certificate stands now (revoked since the run ended, with when and why): the register's word. */
  'runs:certificate': {
    args: z.tuple([z.object({ runId: runIdSchema }).strict()]),
    result: CertificateStatusSchema,
  },
  /** The last log lines of a run this process started (the store keeps records, not logs). */
  'runs:log': {
    args: z.tuple([z.object({ runId: runIdSchema }).strict()]),
    result: z.object({ lines: boundedList(RunLogLineSchema), dropped: z.number().int().nonnegative() }),
  },
  /** Newest first, filtered (serial, outcome, profile, start-time range: main/contract/runs-filter.ts) and bounded. */
  'runs:list': {
    args: z.tuple([RunFilterSchema.optional()]),
    result: boundedList(RunSummarySchema, RUNS_LIST_MAX),
  },
} as const;

export const provisioningEvents = {
  'run:started': z.object({
    runId: runIdSchema,
    deviceId: deviceIdSchema,
    profile: z.object({ name: z.string().max(LIMITS.name), version: z.string().max(64) }),
    startedAt: isoTimeSchema,
  }),
  'run:step': z.object({
    runId: runIdSchema,
    step: stepNameSchema,
    state: StepStateSchema,
    startedAt: isoTimeSchema,
    endedAt: isoTimeSchema.optional(),
    error: z.object({ code: z.string().max(64), message: boundedText() }).optional(),
    /** What the running step is doing, in words ("waiting: reboot into the new image"). */
    message: boundedText().optional(),
  }),
  /** The one progress event (main/contract/progress.ts) of the step's transfer, throttled where it is made. */
  'run:progress': progressSchema.extend({
    runId: runIdSchema,
    step: stepNameSchema,
  }),
  'run:log': z.object({ runId: runIdSchema, level: RunLogLevelSchema, message: boundedText(), at: isoTimeSchema }),
  'run:diagnostic': z.object({ runId: runIdSchema, result: diagnosticResultSchema }),
  'run:finished': z.object({
    runId: runIdSchema,
    deviceId: deviceIdSchema,
    outcome: runOutcomeSchema,
    /** Why it did not pass, in the technician's words (absent when it passed). */
    error: ErrorInfoSchema.optional(),
  }),
} as const;

export type RunSummary = z.output<typeof RunSummarySchema>;
export type RunLogLine = z.output<typeof RunLogLineSchema>;
export type StepState = z.output<typeof StepStateSchema>;
export type ProvisionStartArgs = z.output<(typeof provisioningMethods)['provision:start']['args']>[0];
