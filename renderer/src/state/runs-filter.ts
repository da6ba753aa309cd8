/**
 * The Runs screen's filter bar as typed (serial, outcome, profile, a range of days) and the contract's run filter it
 * asks for: blanks left out, days turned into the instants of their local midnights, the last day included.
 */
import type { RunOutcome } from '../../../main/contract/api';
import { dayStart, type RunFilter } from '../../../main/contract/runs-filter';

export interface HistoryFilter {
  /** The serial's first characters. */
  readonly serial: string;
  readonly outcome: RunOutcome | '';
  readonly profile: string;
  /** `YYYY-MM-DD` as a date input gives it, or empty. */
  readonly fromDay: string;
  readonly toDay: string;
}

export const NO_FILTER: HistoryFilter = { serial: '', outcome: '', profile: '', fromDay: '', toDay: '' };

/** Runs one listing (and one CSV export) holds at most. */
export const HISTORY_LIMIT = 500;

export function filterArgs(filter: HistoryFilter, limit = HISTORY_LIMIT): RunFilter {
  const serial = filter.serial.trim();
  const profile = filter.profile.trim();
  const from = filter.fromDay ? dayStart(filter.fromDay) : undefined;
  const to = filter.toDay ? dayStart(filter.toDay, 1) : undefined;
  return {
    limit,
    ...(serial ? { serialPrefix: serial } : {}),
    ...(filter.outcome ? { outcome: filter.outcome } : {}),
    ...(profile ? { profile } : {}),
    ...(from ? { from } : {}),
    ...(to ? { to } : {}),
  };
}

export function isFiltered(filter: HistoryFilter): boolean {
  return Object.values(filter).some((v) => v.trim() !== '');
}

/** The CSV file's name: the station's runs, with the day range when there is one. */
export function csvFileName(filter: HistoryFilter, today: string): string {
  const range = filter.fromDay || filter.toDay ? `${filter.fromDay || 'start'}_to_${filter.toDay || today}` : today;
  return `fieldline-runs-${range}.csv`;
}
