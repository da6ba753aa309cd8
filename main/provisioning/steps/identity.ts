/**
 * Identity. csr mode: the device makes a P-256 key that never leaves it and returns a CSR, which is checked
 * (signature, subject), signed by the station CA, installed, and proved with a fresh challenge the device signs.
 * inject mode (devices without group 64): the host makes the key and writes key, certificate and chain as files.
 */
import { createHash, randomBytes } from 'node:crypto';
import { FieldlineError } from '../../errors';
import { certificateRecord, checkCsr, generateDeviceKey, verifyChallenge } from '../../pki/csr';
import { eraseIdentity, identityInfo, installCertificate, requestCsr, signChallenge } from '../../smp/groups/identity';
import { hashFile, uploadFile } from '../../smp/groups/fs';
import type { IdentitySpec } from '../../profiles/schema';
import type { RunContext, Step } from '../context';
import { checkKeep, issuedByStation } from './identity-keep';

const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

/**
 * One device operation that a dropped BLE link must not fail: the session reconnects and runs it again. Each one
 * wrapped here is safe to repeat (a fresh CSR, the same certificate, a new signature, a file written whole).
 */
const survive = <T>(ctx: RunContext, what: string, operation: () => Promise<T>): Promise<T> =>
  ctx.session.surviveLinkLoss(what, operation, { signal: ctx.signal });

function pem(label: string, der: Uint8Array): string {
  const b64 = Buffer.from(der).toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n$/, '');
  return `-----BEGIN ${label}-----\n${b64}\n-----END ${label}-----\n`;
}

/** What the slot held before the step, and what the step decided about it. */
type SlotDecision =
  | { kind: 'empty'; evidence: Record<string, unknown> }
  | { kind: 'kept'; evidence: Record<string, unknown> }
  | { kind: 'replace'; old: { serial: string; fingerprint: string; ours: boolean }; evidence: Record<string, unknown> };

/**
 * A slot that already holds an identity: one left by an interrupted run of ours is erased; one in service is
 * refused, kept or replaced as the profile's `identity.existing` (or the run's rework mode) says. The slot is read
 * once and each device operation survives a dropped link on its own, so a repeated erase cannot hide what the slot
 * held (the old certificate `replace` revokes).
 */
async function decideSlot(ctx: RunContext, spec: IdentitySpec, subject: string): Promise<SlotDecision> {
  const info = await survive(ctx, 'identity slot check', () => identityInfo(ctx.session.client, spec.slot));
  if (!info.key && !info.cert) return { kind: 'empty', evidence: {} };
  const erase = (): Promise<void> => survive(ctx, 'identity slot erase', () => eraseIdentity(ctx.session.client, spec.slot));
  const fingerprint = info.cert ? sha256(info.cert) : null;
  // Ours and never in service: issued by this station to this device for a run that did not pass (killed, unplugged,
  // rolled back before the slot was erased). The register knows it even when that run is not the last one.
  const fromInterruptedRun =
    fingerprint !== null &&
    (ctx.previous?.certificate?.fingerprintSha256 === fingerprint ||
      ctx.store.listCertificates({ fingerprint, deviceSerial: ctx.record.device.serial }).some((c) => c.state !== 'in-service'));
  if (!info.cert || fromInterruptedRun) {
    await erase();
    return { kind: 'empty', evidence: { replaced: { fingerprint, reason: fromInterruptedRun ? 'left by the interrupted run' : 'key without certificate' } } };
  }
  const cert = info.cert;
  if (ctx.identityExisting === 'fail') {
    throw new FieldlineError('IDENTITY_EXISTS', `slot ${spec.slot} holds a certificate (SHA-256 ${fingerprint?.slice(0, 16)}…)`);
  }
  if (ctx.identityExisting === 'keep') {
    const kept = await checkKeep({
      der: cert,
      signer: ctx.signer,
      store: ctx.store,
      deviceSerial: ctx.record.device.serial,
      subject,
      renewWithinDays: spec.renewWithinDays,
      now: ctx.clock.now(),
      sign: (challenge) => survive(ctx, 'challenge', () => signChallenge(ctx.session.client, challenge, spec.slot)),
    });
    // For the diagnostics (identity-challenge); an empty serial tells rollback there is nothing of this run to undo.
    ctx.identity = { der: cert, serial: '', mode: 'csr', touchedDevice: false };
    ctx.keptCertificate = { ...kept, mode: 'csr' };
    return { kind: 'kept', evidence: { mode: 'csr', slot: spec.slot, existing: 'kept', certificate: kept, challengeVerified: true } };
  }
  const old = certificateRecord(cert);
  const ours = issuedByStation(cert, ctx.signer);
  // The old key is erased now (the device makes the new one in the same slot); its certificate is revoked only once
  // the new one is installed and proved, below.
  await erase();
  return { kind: 'replace', old: { serial: old.serial, fingerprint: old.fingerprintSha256, ours }, evidence: {} };
}

/**
 * The replaced certificate, revoked (reason superseded) once its successor is in the slot and proved, and marked so
 * in the register through the run that issued it. A foreign certificate is not ours to revoke: it is only noted.
 */
async function retire(ctx: RunContext, old: { serial: string; fingerprint: string; ours: boolean }): Promise<Record<string, unknown>> {
  if (!old.ours) return { existing: 'replaced', replaced: { serial: old.serial, fingerprint: old.fingerprint, revoked: false, note: 'not issued by this station: replaced, not revoked' } };
  await ctx.signer.revoke(old.serial, 'superseded');
  for (const row of ctx.store.listCertificates({ fingerprint: old.fingerprint })) {
    const run = ctx.store.getRun(row.runId);
    if (!run?.certificate || run.certificate.fingerprintSha256 !== old.fingerprint || run.certificate.revoked) continue;
    run.certificate.revoked = true;
    ctx.store.saveRun(run, [
      { actor: ctx.actor, action: 'certificate.superseded', subject: run.device.serial, details: { serial: old.serial, by: ctx.record.id } },
    ]);
  }
  return { existing: 'replaced', replaced: { serial: old.serial, fingerprint: old.fingerprint, revoked: true, reason: 'superseded' } };
}

/**
 * Certificates of ours still in service for this device's `slot` whose key the slot no longer holds: the one a killed
 * replace erased before its successor was proved (the erase comes first, the revocation last), or one whose slot was
 * erased by hand. Once a new identity is proved in the slot they can never be used again, so they are retired with it;
 * left alone they would stay valid in the register for a key nobody has.
 */
function strandedInSlot(ctx: RunContext, slot: number, keep: readonly string[]): Array<{ serial: string; fingerprint: string; ours: boolean }> {
  return ctx.store
    .listCertificates({ deviceSerial: ctx.record.device.serial, state: 'in-service' })
    .filter((c) => !keep.includes(c.fingerprintSha256))
    .filter((c) => {
      const evidence = ctx.store.getRun(c.runId)?.steps.find((step) => step.name === 'identity')?.evidence;
      return (typeof evidence?.['slot'] === 'number' ? evidence['slot'] : 0) === slot;
    })
    .map((c) => ({ serial: c.serial, fingerprint: c.fingerprintSha256, ours: true }));
}

async function csrMode(ctx: RunContext, spec: IdentitySpec, subject: string, sans: string[]): Promise<Record<string, unknown>> {
  const decision = await decideSlot(ctx, spec, subject);
  if (decision.kind === 'kept') return decision.evidence;
  const csrDer = await survive(ctx, 'CSR', () => requestCsr(ctx.session.client, subject, { slot: spec.slot }));
  ctx.identity = { der: new Uint8Array(0), serial: '', mode: 'csr', touchedDevice: true };
  const csr = await checkCsr(csrDer, subject);
  const issued = await ctx.signer.issue({ publicKeySpki: csr.publicKeySpki, subject, sans, validityDays: spec.validityDays });
  ctx.identity = { der: issued.der, serial: issued.record.serial, mode: 'csr', touchedDevice: true };
  ctx.record.certificate = { ...issued.record, mode: 'csr' };
  // Write-ahead: the certificate is in the store before a byte of it goes to the device.
  ctx.checkpoint('certificate.issued', { serial: issued.record.serial, fingerprint: issued.record.fingerprintSha256 });
  const fingerprint = await survive(ctx, 'certificate install', async () =>
    installCertificate(ctx.session.client, issued.der, issued.chain, { slot: spec.slot, bufSize: (await ctx.session.buffers()).bufSize }),
  );
  if (Buffer.from(fingerprint).toString('hex') !== issued.record.fingerprintSha256) {
    throw new FieldlineError('CONFIG_MISMATCH', 'the device reports a different fingerprint for the installed certificate');
  }
  const challenge = randomBytes(32);
  const signature = await survive(ctx, 'challenge', () => signChallenge(ctx.session.client, challenge, spec.slot));
  if (!verifyChallenge(issued.der, challenge, signature)) {
    throw new FieldlineError('CONFIG_MISMATCH', 'the device signed the challenge with a key that does not match its certificate');
  }
  const retired = decision.kind === 'replace' ? await retire(ctx, decision.old) : {};
  const stranded = strandedInSlot(ctx, spec.slot, [issued.record.fingerprintSha256, ...(decision.kind === 'replace' ? [decision.old.fingerprint] : [])]);
  for (const old of stranded) await retire(ctx, old);
  const strandedEvidence = stranded.length > 0 ? { strandedRevoked: stranded.map((c) => c.serial) } : {};
  return { mode: 'csr', slot: spec.slot, ...decision.evidence, ...retired, ...strandedEvidence, csrSha256: sha256(csrDer), certificate: issued.record, chainLength: issued.chain.length, challengeVerified: true };
}

async function injectMode(ctx: RunContext, spec: IdentitySpec, subject: string, sans: string[]): Promise<Record<string, unknown>> {
  const files = spec.files;
  if (!files) throw new FieldlineError('INVALID_ARGUMENT', 'inject mode needs identity.files in the profile');
  const key = generateDeviceKey();
  const issued = await ctx.signer.issue({ publicKeySpki: key.publicKeySpki, subject, sans, validityDays: spec.validityDays });
  ctx.identity = { der: issued.der, serial: issued.record.serial, mode: 'inject', touchedDevice: true };
  ctx.record.certificate = { ...issued.record, mode: 'inject' };
  ctx.checkpoint('certificate.issued', { serial: issued.record.serial, fingerprint: issued.record.fingerprintSha256 });
  const writes: Array<[string, Uint8Array]> = [
    [files.key, Buffer.from(key.privateKeyPkcs8Pem)],
    [files.cert, Buffer.from(pem('CERTIFICATE', issued.der))],
  ];
  if (files.chain) writes.push([files.chain, Buffer.from(issued.chain.map((c) => pem('CERTIFICATE', c)).join(''))]);
  const written: Record<string, string> = {};
  for (const [path, content] of writes) {
    const h = await survive(ctx, `upload of ${path}`, async () => {
      await uploadFile(ctx.session.client, path, content, await ctx.session.buffers(), { signal: ctx.signal });
      return hashFile(ctx.session.client, path, { type: 'sha256' });
    });
    if (h.output !== sha256(content)) throw new FieldlineError('CONFIG_MISMATCH', `${path} read back with a different SHA-256`);
    // The key file's hash is evidence enough that it arrived; its content is never recorded.
    written[path] = h.output;
  }
  return { mode: 'inject', files: written, certificate: issued.record, chainLength: issued.chain.length };
}

export const identity: Step = async (ctx) => {
  const spec = ctx.profile.profile.identity;
  if (!spec) return { mode: 'none', reason: 'the profile asks for no identity' };
  if (!ctx.rendered) throw new FieldlineError('INTERNAL', 'identity before identify');
  const { subject, sans } = ctx.rendered;
  return spec.mode === 'csr' ? csrMode(ctx, spec, subject, sans) : injectMode(ctx, spec, subject, sans);
};
