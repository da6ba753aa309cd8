/**
 * The environment doctor (issue #17): what stands between this machine and a working station — serial permissions,
 * ModemManager or brltty grabbing a port, a Bluetooth adapter without capabilities, the station CA, the registry and
 * this machine's clock, the data directory, the store — each check with what it found and the exact fix. The same
 * report is `fieldline doctor --json` and the app's Doctor screen.
 */
import { z } from 'zod';
import { boundedList, boundedText, isoTimeSchema, LIMITS } from './bounds';

/** `skip`: not checked here — another OS's check, or nothing to check (no registry configured). */
export const DOCTOR_STATUSES = ['pass', 'warn', 'fail', 'skip'] as const;
export const DoctorStatusSchema = z.enum(DOCTOR_STATUSES);

export const DoctorCheckSchema = z.object({
  /** Stable: `family.name` (serial.access, registry.clock, …). */
  id: z.string().min(1).max(64),
  title: z.string().min(1).max(LIMITS.name),
  status: DoctorStatusSchema,
  /** What the check saw, in the technician's words. */
  found: boundedText(),
  /** The exact thing to do; "nothing to do" when there is nothing. */
  fix: boundedText(),
});

export const DoctorReportSchema = z.object({
  checks: boundedList(DoctorCheckSchema, 64),
  /** No check failed. */
  ok: z.boolean(),
  counts: z.object({ pass: z.number().int().nonnegative(), warn: z.number().int().nonnegative(), fail: z.number().int().nonnegative(), skip: z.number().int().nonnegative() }),
  platform: z.string().max(32),
  startedAt: isoTimeSchema,
  /** How long the whole run took. */
  ms: z.number().int().nonnegative(),
});

export const doctorMethods = {
  /** Runs every check now (in parallel, each under a timeout: a few seconds at most). */
  'doctor:run': {
    args: z.tuple([]),
    result: DoctorReportSchema,
  },
} as const;

export type DoctorStatus = z.output<typeof DoctorStatusSchema>;
export type DoctorCheck = z.output<typeof DoctorCheckSchema>;
export type DoctorReport = z.output<typeof DoctorReportSchema>;
