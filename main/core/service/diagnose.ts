/**
 * Diagnose: the acceptance diagnostics of the profile the device was provisioned with, and nothing else — no setting,
 * file, image or key is written. The golden configuration hash is the basis profile's, rendered with the basis run's
 * variables, so `settings-hash` says whether the device still holds what it was provisioned with; the identity
 * challenge is asked of the certificate the device holds now.
 */
import { configurationHash } from '../../profiles/diff';
import type { RunContext } from '../../provisioning/context';
import { diagnostics } from '../../provisioning/steps/diagnostics';
import { readSlotCertificate } from './observe';
import type { ActionPlan } from './record';

/** Prepares the context as a provisioning run leaves it before its diagnostics: the golden hash, the identity held. */
export async function prepareDiagnostics(ctx: RunContext): Promise<void> {
  if (ctx.rendered) ctx.configurationHash = configurationHash(ctx.rendered);
  const spec = ctx.profile.profile.identity;
  if (spec?.mode === 'inject') {
    // Inject mode reads the certificate file back itself; without a record of it the challenge has nothing to compare.
    return;
  }
  const held = await readSlotCertificate(ctx.session, ctx.profile);
  // Empty serial and untouched: rollback has nothing of this action's to revoke or erase.
  if (held) ctx.identity = { der: held.der, serial: '', mode: 'csr', touchedDevice: false };
}

export const diagnosePlan: ActionPlan = {
  action: 'diagnose',
  needsSigner: false,
  steps: [
    {
      name: 'diagnostics',
      run: async (ctx) => {
        await prepareDiagnostics(ctx);
        return diagnostics(ctx);
      },
    },
  ],
};
