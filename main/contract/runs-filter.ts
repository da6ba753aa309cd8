/**
 * Which runs a listing shows: the filters the Runs screen and `fieldline runs list` share — serial (its first
 * characters), outcome, profile, a start-time range — every one bounded, and a bounded count. Also the CSV a listing
 * is exported as (the same columns on both).
 */
import { z } from 'zod';
import { LIMITS, plainText } from './bounds';
import { toCsv } from './csv';
import { runOutcomeSchema } from './run-record';

/** The most runs one listing (and one export) holds. */
export const RUNS_LIST_MAX = 1000;

/** An instant as run records carry it (ISO 8601); anything Date cannot read is refused, not matched against. */
const instantSchema = z
  .string()
  .min(1)
  .max(40)
  .refine((s) => !Number.isNaN(Date.parse(s)), 'must be an ISO 8601 date and time');

export const RunFilterSchema = z
  .object({
    limit: z.number().int().min(1).max(RUNS_LIST_MAX).optional(),
    /** Exactly this device. */
    serial: plainText(LIMITS.name).optional(),
    /** Devices whose serial starts with this (what a technician types into a filter box). */
    serialPrefix: plainText(LIMITS.name).optional(),
    outcome: runOutcomeSchema.optional(),
    /** The profile's name. */
    profile: plainText(LIMITS.name).optional(),
    /** Started at or after this instant. */
    from: instantSchema.optional(),
    /** Started before this instant. */
    to: instantSchema.optional(),
  })
  .strict()
  .refine((f) => f.from === undefined || f.to === undefined || Date.parse(f.from) <= Date.parse(f.to), { message: 'the range must not end before it starts', path: ['to'] });

export type RunFilter = z.output<typeof RunFilterSchema>;

/** The fields of a run a CSV row is made of (RunSummary has them all). */
export interface RunRow {
  id: string;
  serial: string;
  profile: string;
  profileVersion: string;
  station: string;
  outcome: string;
  startedAt: string;
  endedAt: string;
  errorCode?: string;
}

export const RUNS_CSV_HEADER = ['run', 'serial', 'outcome', 'error', 'profile', 'profile_version', 'station', 'started_at', 'ended_at'] as const;

/** The runs as CSV (RFC 4180, formula-guarded: main/contract/csv.ts), times as the records carry them (UTC). */
export function runsCsv(runs: readonly RunRow[]): string {
  return toCsv(
    RUNS_CSV_HEADER,
    runs.map((r) => [r.id, r.serial, r.outcome, r.errorCode, r.profile, r.profileVersion, r.station, r.startedAt, r.outcome === 'running' ? '' : r.endedAt]),
  );
}

/**
 * The start of a local calendar day (`YYYY-MM-DD`, in the time zone of whoever asks) as an instant, `plusDays` later;
 * undefined for anything that is not a day (2026-02-30 is refused, not rolled over into March). A range of days is
 * `from` = dayStart(first) and `to` = dayStart(last, 1), so the last day is included.
 */
export function dayStart(day: string, plusDays = 0): string | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!m) return undefined;
  const [y, mo, d] = [Number(m[1]), Number(m[2]) - 1, Number(m[3])];
  const date = new Date(y, mo, d);
  if (date.getFullYear() !== y || date.getMonth() !== mo || date.getDate() !== d) return undefined;
  return new Date(y, mo, d + plusDays).toISOString();
}
