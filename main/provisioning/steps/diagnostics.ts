/** Diagnostics: the profile's acceptance plan, every check with its value and limits; any failure fails the run. */
import { FieldlineError } from '../../errors';
import { runDiagnostics } from '../../diagnostics/plan';
import { downloadFile } from '../../smp/groups/fs';
import { deviceConfigurationHash } from './configuration';
import type { Step } from '../context';

export const diagnostics: Step = async (ctx) => {
  const plan = ctx.profile.profile.diagnostics;
  const rendered = ctx.rendered;
  const injectCert = ctx.profile.profile.identity?.files?.cert;
  const results = await runDiagnostics(
    plan,
    {
      session: ctx.session,
      signal: ctx.signal,
      clock: ctx.clock,
      ...(ctx.configurationHash && rendered
        ? { expectedConfigurationHash: ctx.configurationHash, readConfigurationHash: () => deviceConfigurationHash(ctx.session, rendered) }
        : {}),
      ...(ctx.identity ? { certificateDer: ctx.identity.der, identityMode: ctx.identity.mode } : {}),
      identitySlot: ctx.profile.profile.identity?.slot ?? 0,
      ...(injectCert
        ? {
            readInjectedCertificate: async () => {
              const text = Buffer.from(await downloadFile(ctx.session.client, injectCert)).toString('utf8');
              const b64 = /-----BEGIN CERTIFICATE-----([\s\S]+?)-----END CERTIFICATE-----/.exec(text)?.[1] ?? '';
              return new Uint8Array(Buffer.from(b64.replace(/\s+/g, ''), 'base64'));
            },
          }
        : {}),
    },
    (r) => ctx.events.onDiagnostic?.(r),
  );
  ctx.record.diagnostics = results;
  const failed = results.filter((r) => !r.passed);
  if (failed.length > 0) {
    throw new FieldlineError('DIAGNOSTICS_FAILED', `${failed.length} of ${results.length} failed: ${failed.map((r) => r.name).join(', ')}`);
  }
  return { checks: results.length, passed: results.length };
};
