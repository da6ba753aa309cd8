/**
 * The identity really lives on the device: csr mode asks the device to sign a fresh random challenge and checks
 * the signature against the installed certificate; inject mode (no device key operations) checks that the
 * certificate file on the device is the one issued.
 */
import { createHash, randomBytes } from 'node:crypto';
import { verifyChallenge } from '../../pki/csr';
import { identityInfo, signChallenge } from '../../smp/groups/identity';
import type { Check } from '../check';
import type { DiagnosticSpec } from '../../profiles/schema';

type Spec = Extract<DiagnosticSpec, { type: 'identity-challenge' }>;

const fingerprint = (der: Uint8Array): string => createHash('sha256').update(der).digest('hex');

export const identityChallenge: Check<Spec> = async (_spec, context) => {
  const { session, certificateDer, identityMode, identitySlot } = context;
  if (!certificateDer) return { passed: false, value: null, limits: {}, detail: 'no certificate was issued in this run' };
  const expected = fingerprint(certificateDer);
  if (identityMode === 'inject') {
    if (!context.readInjectedCertificate) return { passed: false, value: null, limits: { expected }, detail: 'no way to read the certificate back' };
    const onDevice = fingerprint(await context.readInjectedCertificate());
    return { passed: onDevice === expected, value: onDevice, limits: { expected }, detail: 'inject mode: certificate file compared' };
  }
  const info = await identityInfo(session.client, identitySlot);
  if (!info.cert || fingerprint(info.cert) !== expected) {
    return { passed: false, value: info.cert ? fingerprint(info.cert) : null, limits: { expected }, detail: 'the device holds a different certificate' };
  }
  const challenge = randomBytes(32);
  const signature = await signChallenge(session.client, challenge, identitySlot);
  const verified = verifyChallenge(info.cert, challenge, signature);
  return { passed: verified, value: verified, limits: { expected: true }, detail: `challenge ${challenge.toString('hex').slice(0, 16)}… signed by the device key` };
};
