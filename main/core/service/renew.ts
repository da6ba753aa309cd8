/**
 * Renew: a new key made on the device and a new certificate for it, by the provisioning pipeline's identity step in
 * its `replace` mode — the CSR checked, the certificate issued by the station CA and written to the store's register
 * before a byte of it goes to the device (the step's write-ahead checkpoint), installed, read back by fingerprint and
 * proved with a fresh challenge — and only then the old certificate revoked (reason superseded), when this station's
 * CA issued it. A certificate another CA issued cannot be revoked here: the record says so and why.
 */
import { FieldlineError } from '../../errors';
import { identity } from '../../provisioning/steps/identity';
import type { ActionPlan } from './record';

export interface RenewedOld {
  serial: string;
  revoked: boolean;
  reason: string;
}

/** What the identity step's evidence says became of the old certificate. */
export function oldCertificateOf(evidence: Record<string, unknown> | undefined): RenewedOld | undefined {
  const replaced = evidence?.replaced as { serial?: unknown; revoked?: unknown; reason?: unknown; note?: unknown } | undefined;
  if (typeof replaced?.serial !== 'string') return undefined;
  const revoked = replaced.revoked === true;
  const reason = revoked ? `revoked here (${String(replaced.reason ?? 'superseded')})` : String(replaced.note ?? 'not revoked');
  return { serial: replaced.serial, revoked, reason };
}

export const renewPlan: ActionPlan = {
  action: 'renew',
  needsSigner: true,
  check: async (ctx) => {
    const spec = ctx.profile.profile.identity;
    if (spec?.mode !== 'csr') {
      throw new FieldlineError('INVALID_ARGUMENT', `${ctx.profile.profile.name} gives the device ${spec ? 'an injected identity' : 'no identity'}: renew makes a new key on the device (csr mode) only`);
    }
  },
  steps: [
    {
      name: 'identity',
      run: async (ctx) => {
        ctx.identityExisting = 'replace';
        return identity(ctx);
      },
    },
  ],
};
