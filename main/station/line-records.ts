/**
 * The finished runs a line report covers, from the store: ended at or after `since` (what a shift or "the last 8
 * hours" means), of one station and one profile when asked. Runs still running have no end and are left out, as
 * every KPI leaves them out. The store lists summaries newest first; only the runs that pass the filters are read
 * in full, and they are returned oldest first (production order, as the SPC charts want them).
 */
import { FieldlineError } from '../errors';
import type { RunRecord } from '../contract/run-record';
import type { Store } from '../store/types';

export interface LineFilter {
  since?: Date;
  station?: string;
  /** The profile's name (as in the record), not its file. */
  profile?: string;
}

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/**
 * `--since`: an ISO 8601 time (2026-11-26T06:00:00Z, or a date, read as UTC midnight) or a duration back from now —
 * 8h, 30m, 2d, 1h30m, 1w (s, m, h, d, w).
 */
export function parseSince(text: string, now: Date = new Date()): Date {
  const value = text.trim();
  if (/^(\d+(\.\d+)?[smhdw])+$/i.test(value)) {
    let ms = 0;
    for (const [, n, unit] of value.toLowerCase().matchAll(/(\d+(?:\.\d+)?)([smhdw])/g)) ms += Number(n) * (UNIT_MS[unit as string] as number);
    return new Date(now.getTime() - ms);
  }
  if (/^\d{4}-\d{2}-\d{2}([T ][0-9:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(value)) {
    const t = Date.parse(value);
    if (Number.isFinite(t)) return new Date(t);
  }
  throw new FieldlineError('INVALID_ARGUMENT', `--since takes an ISO time (2026-11-26T06:00:00Z) or a duration back from now (8h, 30m, 2d, 1h30m), not "${text}"`);
}

export function lineRecords(store: Store, filter: LineFilter = {}): RunRecord[] {
  const since = filter.since?.getTime();
  // Provisioning runs only: a field-service record (issue #16) is no run of the line.
  const wanted = store.listRuns({ kind: 'provisioning' }).filter(
    (r) =>
      r.outcome !== 'running' &&
      r.endedAt !== '' &&
      (since === undefined || Date.parse(r.endedAt) >= since) &&
      (filter.station === undefined || r.station === filter.station) &&
      (filter.profile === undefined || r.profile === filter.profile),
  );
  const records: RunRecord[] = [];
  for (const summary of wanted.reverse()) {
    const record = store.getRun(summary.id);
    if (record) records.push(record);
  }
  return records;
}
