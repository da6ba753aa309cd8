/**
 * Drift for every front end (`fieldline drift`, the Service visit screen): compare an open device with its golden
 * configuration and, when asked, write the golden values back, check again, and record the fix in the audit log.
 * One function, so the CLI and the app cannot disagree on what a fix writes or how it is audited.
 */
import type { GatewaySession } from '../device/session';
import { checkDrift, fixDrift, type Difference, type DriftReport } from '../provisioning/drift';
import type { LoadedProfile } from '../profiles/load';
import type { Store } from '../store/types';

export interface DriftRequest {
  session: GatewaySession;
  profile: LoadedProfile;
  variables: Record<string, string>;
  /** Write back every fixable difference, check again, and audit it as done by `actor` (`operator:NAME`, `station:NAME`). */
  fix?: { actor: string };
}

export interface DriftOutcome {
  /** What the device held before anything was written. */
  report: DriftReport;
  /** After a fix: the device checked again (absent when nothing was written). */
  after?: DriftReport;
  fixed: Difference[];
  /** The differences left: all of them without a fix, those the fix could not write otherwise. */
  remaining: Difference[];
}

export async function driftOf(store: Store, station: { name: string }, request: DriftRequest): Promise<DriftOutcome> {
  const { session, profile } = request;
  const { report, rendered } = await checkDrift({ session, profile, store, station, variables: request.variables });
  if (!request.fix || !report.differences.some((d) => d.fixable)) return { report, fixed: [], remaining: report.differences };
  const fixed = await fixDrift(session, rendered, report.differences);
  // Checked again with the variables the first check settled on (those of the device's last passed run by default).
  const after = (await checkDrift({ session, profile, store, station, variables: report.variables })).report;
  store.appendAudit({
    actor: request.fix.actor,
    action: 'drift.fix',
    subject: report.serial,
    details: { profile: `${profile.profile.name}@${profile.profile.version}`, fixed: fixed.map((d) => `${d.kind} ${d.name}`), remaining: after.differences.length },
  });
  return { report, after, fixed, remaining: after.differences };
}
