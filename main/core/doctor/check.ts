/**
 * One doctor check: an id, a title and a function that looks at the machine through injected probes (so each check
 * is tested with the machine faked both ways) and answers what it found and the fix.
 */
import type { DoctorCheck } from '../../contract/doctor';

export type CheckOutcome = Omit<DoctorCheck, 'id' | 'title'>;

export interface CheckDefinition {
  id: string;
  title: string;
  run(): Promise<CheckOutcome>;
}

export const NOTHING_TO_DO = 'nothing to do';

export const pass = (found: string, fix = NOTHING_TO_DO): CheckOutcome => ({ status: 'pass', found, fix });
export const warn = (found: string, fix: string): CheckOutcome => ({ status: 'warn', found, fix });
export const fail = (found: string, fix: string): CheckOutcome => ({ status: 'fail', found, fix });
export const skip = (found: string, fix = NOTHING_TO_DO): CheckOutcome => ({ status: 'skip', found, fix });

/** What a check made for another OS says here: it does not guess. */
export const notThisOs = (os: string, platform: string): CheckOutcome => skip(`not checked on this OS (${platform}); this check runs on ${os}`);

/**
 * A probe asked once for all the checks of a family that read it: the checks run at once, and a probe may scan /sys,
 * read files or send requests.
 */
export function once<T>(ask: () => Promise<T>): () => Promise<T> {
  let asked: Promise<T> | undefined;
  return () => (asked ??= ask());
}

/** A short list for a `found` line: the first few, then how many more. */
export function listed(items: readonly string[], max = 5): string {
  return items.length <= max ? items.join(', ') : `${items.slice(0, max).join(', ')} and ${items.length - max} more`;
}
