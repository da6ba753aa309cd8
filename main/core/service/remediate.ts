/**
 * Remediate: every fixable difference between the device and the profile it was provisioned with (rendered with that
 * run's variables) is written back — the same check and fix as `fieldline drift --fix` (main/provisioning/drift.ts) —
 * and the device is checked again. The action passes when the read-back shows no fixable difference left; what no
 * fix can change (a firmware minimum, a missing identity, a file left by a failed run) is recorded as remaining.
 */
import { FieldlineError } from '../../errors';
import { checkDrift, fixDrift, type Difference } from '../../provisioning/drift';
import type { RunContext } from '../../provisioning/context';
import type { ActionPlan } from './record';

const named = (d: Difference): string => `${d.kind} ${d.name}`;

/** The differences of the device against its basis profile, with all of the basis run's variables given. */
export async function driftAgainstBasis(ctx: RunContext): Promise<Awaited<ReturnType<typeof checkDrift>>> {
  return checkDrift({ session: ctx.session, profile: ctx.profile, store: ctx.store, station: ctx.station, variables: ctx.variables });
}

export const remediatePlan: ActionPlan = {
  action: 'remediate',
  needsSigner: false,
  steps: [
    {
      name: 'configuration',
      run: async (ctx) => {
        const { report, rendered } = await driftAgainstBasis(ctx);
        const fixable = report.differences.filter((d) => d.fixable);
        // Not rolled back on a failure (ctx.written stays empty): each value written is the golden one, so a fix cut
        // half-way leaves the device nearer its golden configuration, and the after-state says where it stands.
        const fixed = fixable.length > 0 ? await fixDrift(ctx.session, rendered, fixable) : [];
        const after = (await driftAgainstBasis(ctx)).report;
        const left = after.differences.filter((d) => d.fixable);
        const evidence = { differences: report.differences, fixed, remaining: after.differences, readBack: left.length === 0 ? 'no fixable difference left' : `${left.length} left` };
        if (left.length > 0) throw new FieldlineError('CONFIG_MISMATCH', `read back differently after the fix: ${left.map(named).join(', ')}`, { evidence });
        return evidence;
      },
    },
  ],
};
