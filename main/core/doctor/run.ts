/**
 * Runs the doctor's checks at once, each under its own deadline, and gathers the report. A check that does not answer
 * in time, or throws, is a warning that says so — never a hang, and never a failure the machine did not show: the
 * whole run is bounded by the deadline (the issue asks for ≤ 3 s).
 */
import type { DoctorCheck, DoctorReport } from '../../contract/doctor';
import { withDeadline } from '../../shared/deadline';
import { warn, type CheckDefinition, type CheckOutcome } from './check';

/** Each check's deadline; every check starts at once, so this bounds the run. */
export const CHECK_TIMEOUT_MS = 2500;

export interface RunOptions {
  timeoutMs?: number;
  platform: string;
  now?: () => number;
}

class CheckTimeout extends Error {}

const MAX_TEXT = 2000;
const clip = (text: string): string => (text.length <= MAX_TEXT ? text : `${text.slice(0, MAX_TEXT - 1)}…`);

async function runOne(check: CheckDefinition, timeoutMs: number): Promise<DoctorCheck> {
  let outcome: CheckOutcome;
  try {
    outcome = await withDeadline(check.run(), timeoutMs, () => new CheckTimeout(), { unref: true });
  } catch (err) {
    outcome =
      err instanceof CheckTimeout
        ? warn(`no answer within ${timeoutMs} ms, so nothing is known`, 'run fieldline doctor again; if it stays slow, look at what this check probes (in its title)')
        : warn(`the check itself failed: ${err instanceof Error ? err.message : String(err)}`, 'run fieldline doctor again; report the message if it stays');
  }
  // A probe may echo something long (a command's output): the report stays within the contract's bounds.
  return { id: check.id, title: check.title, status: outcome.status, found: clip(outcome.found), fix: clip(outcome.fix) };
}

export async function runChecks(checks: readonly CheckDefinition[], options: RunOptions): Promise<DoctorReport> {
  const now = options.now ?? Date.now;
  const started = now();
  const results = await Promise.all(checks.map((c) => runOne(c, options.timeoutMs ?? CHECK_TIMEOUT_MS)));
  const counts = { pass: 0, warn: 0, fail: 0, skip: 0 };
  for (const r of results) counts[r.status] += 1;
  return {
    checks: results,
    ok: counts.fail === 0,
    counts,
    platform: options.platform,
    startedAt: new Date(started).toISOString(),
    ms: Math.max(0, Math.round(now() - started)),
  };
}
