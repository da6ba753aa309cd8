/**
 * Firmware gate: a device below the profile's minimum gets the profile's image — uploaded, marked for test,
 * reset, and checked to be running (unconfirmed) when it returns. It is confirmed only in finalize, after the
 * diagnostics passed; until then MCUboot reverts it on the next reset, which is the firmware rollback.
 *
 * A profile with firmware.signingKeys accepts only an image signed by one of them, checked before the upload starts
 * (main/device/mcuboot-signature.ts): a refusal fails the run here with the reason and the device's slot 1 is never
 * touched. A profile without signingKeys uploads any image whose SHA-256 matches, and the evidence says the
 * signature was not checked — the device's own MCUboot, built with its key, is then the only judge.
 */
import { dirname, resolve } from 'node:path';
import { createHash } from 'node:crypto';
import { FieldlineError } from '../../errors';
import { compareVersions, parseMcubootImage, formatZephyrVersion } from '../../device/mcuboot-image';
import { readState, testImage, uploadImage } from '../../smp/groups/image';
import { reset } from '../../smp/groups/os';
import { createProgressMeter } from '../../smp/progress-meter';
import { LOAD_LIMITS } from '../../profiles/limits';
import { readRegularFile } from '../../profiles/regular-file';
import { loadSigningKeys } from '../../profiles/signing-keys';
import { verifyMcubootImage } from '../../device/mcuboot-signature';
import type { Step } from '../context';

export const firmware: Step = async (ctx) => {
  const spec = ctx.profile.profile.firmware;
  let running = (await readState(ctx.session.client)).find((s) => s.active);
  if (!running) throw new FieldlineError('DEVICE_IDENTIFY_FAILED', 'the device reports no active image');

  // A repaired run may find its image already running in test mode: keep it under this run's control.
  const pending = ctx.previous?.steps.find((s) => s.name === 'firmware')?.evidence.installed as { version: string; hash: string } | undefined;
  if (pending && running.version === pending.version && !running.confirmed) {
    ctx.firmwareUpdate = pending;
    if (ctx.previous?.firmwareSignedBy) ctx.record.firmwareSignedBy = ctx.previous.firmwareSignedBy;
    return { required: spec?.minVersion, running: running.version, installed: pending, resumed: true };
  }
  // An unconfirmed image the store knows nothing of: a run killed between the reset into its new image and the
  // record of it (or any tool's test boot). It is not permanent, so it is this run's to confirm or to let revert.
  if (!running.confirmed) {
    const installed = { version: running.version, hash: running.hash ?? '' };
    if (!spec || compareVersions(running.version, spec.minVersion, false) >= 0) {
      ctx.firmwareUpdate = installed;
      return { required: spec?.minVersion ?? null, running: running.version, installed, takenOver: 'an unconfirmed image was running; it is confirmed only if this run passes' };
    }
    await reset(ctx.session.client);
    await ctx.waitForDevice('reboot into the confirmed image');
    running = (await readState(ctx.session.client)).find((s) => s.active);
    if (!running?.confirmed) throw new FieldlineError('FIRMWARE_UPDATE_FAILED', `the device still runs an unconfirmed image (${installed.version}) after a reset`);
  }
  if (!spec) return { required: null, running: running.version, action: 'none (the profile sets no minimum)' };
  if (compareVersions(running.version, spec.minVersion, false) >= 0) {
    return { required: spec.minVersion, running: running.version, action: 'none (at or above the minimum)' };
  }
  if (!spec.image || !spec.sha256) {
    throw new FieldlineError('FIRMWARE_UPDATE_FAILED', `the device runs ${running.version}, below ${spec.minVersion}, and the profile names no image`);
  }
  const imagePath = resolve(dirname(ctx.profile.path), spec.image);
  // Read again at run time (the file may have changed since the profile loaded): a regular file, capped, never /dev/zero.
  const image = await readRegularFile(imagePath, { maxBytes: LOAD_LIMITS.imageBytes, what: 'firmware image' });
  const sha = createHash('sha256').update(image).digest('hex');
  if (sha !== spec.sha256.toLowerCase()) {
    throw new FieldlineError('FIRMWARE_UPDATE_FAILED', `${spec.image} has SHA-256 ${sha}, the profile says ${spec.sha256}`);
  }
  // Signed firmware only: with trusted keys in the profile, an image they did not sign never reaches the device.
  const keys = spec.signingKeys ? await loadSigningKeys(spec.signingKeys, dirname(ctx.profile.path)) : [];
  const signed = keys.length > 0 ? verifyMcubootImage(image, keys) : undefined;
  const signature = signed
    ? { algorithm: signed.algorithm, keyHash: signed.keyHash, key: signed.keySource }
    : 'not checked (the profile lists no firmware.signingKeys)';
  const parsed = signed?.image ?? parseMcubootImage(image);
  const version = formatZephyrVersion(parsed.version);
  const hash = parsed.hash ? Buffer.from(parsed.hash).toString('hex') : undefined;
  if (!hash) throw new FieldlineError('FIRMWARE_UPDATE_FAILED', `${spec.image} has no SHA-256 TLV`);
  if (compareVersions(version, spec.minVersion, false) < 0) {
    throw new FieldlineError('FIRMWARE_UPDATE_FAILED', `${spec.image} is version ${version}, itself below the minimum ${spec.minVersion}`);
  }

  const progress = createProgressMeter('image upload', { clock: ctx.clock, emit: (p) => ctx.events.onProgress?.('firmware', p) });
  const reconnectsBefore = ctx.session.reconnects;
  // Over BLE a dropped link is re-established and the upload runs again: its first chunk carries the image's
  // SHA-256, so the device answers with the offset it holds and the upload resumes there. Serial runs it once.
  const upload = await ctx.session.surviveLinkLoss(
    'image upload',
    async () =>
      uploadImage(ctx.session.client, image, await ctx.session.buffers(), {
        signal: ctx.signal,
        onProgress: (p) => progress(p.acked, p.total),
      }),
    { signal: ctx.signal, onReconnect: () => ctx.events.onStepMessage?.('firmware', 'the link dropped: reconnected, resuming the upload') },
  );
  const reconnects = ctx.session.reconnects - reconnectsBefore;
  await ctx.session.surviveLinkLoss('image test', () => testImage(ctx.session.client, hash), { signal: ctx.signal });
  // From here on a reset would boot the new image: rollback must know.
  ctx.firmwareUpdate = { version, hash };
  await reset(ctx.session.client);
  await ctx.waitForDevice('reboot into the new image');
  const after = (await readState(ctx.session.client)).find((s) => s.active);
  if (!after || after.version !== version) {
    throw new FieldlineError('FIRMWARE_UPDATE_FAILED', `after the reset the device runs ${after?.version ?? 'nothing'}, not ${version}`);
  }
  // Recorded once the device runs the image: the record names the key of firmware it installed, never of one it tried.
  if (signed) ctx.record.firmwareSignedBy = { algorithm: signed.algorithm, keyHash: signed.keyHash };
  return {
    required: spec.minVersion,
    running: running.version,
    installed: { version, hash },
    signature,
    upload: { bytes: upload.bytes, seconds: Number(upload.seconds.toFixed(2)), resumedFrom: upload.resumedFrom, ...(reconnects ? { reconnects } : {}) },
    confirmed: after.confirmed,
  };
};
