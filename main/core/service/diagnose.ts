/**
 * Diagnose: the acceptance diagnostics of the profile the device was provisioned with, and nothing else — no setting,
 * file, image or key is written. The golden configuration hash is the basis profile's, rendered with the basis run's
 * variables, so `settings-hash` says whether the device still holds what it was provisioned with; the identity
 * challenge is asked of the certificate the device holds now.
 */
import { createHash } from 'node:crypto';
import { readFileOrAbsent } from '../../device/read-config';
import { configurationHash } from '../../profiles/diff';
import type { RunContext } from '../../provisioning/context';
import { diagnostics } from '../../provisioning/steps/diagnostics';
import { readSlotCertificate } from './observe';
import type { FoundBasis } from './basis';
import type { ActionPlan } from './record';

/** The DER of the first PEM certificate in a file's bytes. */
function certificateFileDer(bytes: Uint8Array | undefined): Uint8Array | undefined {
  const b64 = bytes && /-----BEGIN CERTIFICATE-----([\s\S]+?)-----END CERTIFICATE-----/.exec(Buffer.from(bytes).toString('utf8'))?.[1];
  return b64 ? new Uint8Array(Buffer.from(b64.replace(/\s+/g, ''), 'base64')) : undefined;
}

/**
 * Prepares the context as a provisioning run leaves it before its diagnostics: the golden hash, and the identity the
 * device should hold. In csr mode that is the certificate in the slot (the challenge proves the device holds its key);
 * in inject mode, where the check compares the certificate file with the one issued, it is the file's certificate only
 * when it is the one the basis run issued — anything else is left for the check to fail.
 */
export async function prepareDiagnostics(ctx: RunContext, basis: FoundBasis): Promise<void> {
  if (ctx.rendered) ctx.configurationHash = configurationHash(ctx.rendered);
  const spec = ctx.profile.profile.identity;
  if (spec?.mode === 'inject') {
    const file = spec.files?.cert;
    const issued = basis.run.record.certificate?.fingerprintSha256;
    const der = file && issued ? certificateFileDer(await readFileOrAbsent(ctx.session, file)) : undefined;
    if (der && createHash('sha256').update(der).digest('hex') === issued) ctx.identity = { der, serial: '', mode: 'inject', touchedDevice: false };
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
      run: async (ctx, basis) => {
        await prepareDiagnostics(ctx, basis);
        return diagnostics(ctx);
      },
    },
  ],
};
