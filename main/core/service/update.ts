/**
 * Update: the firmware of the current release of the device's profile (or an image the technician gives), through
 * the provisioning pipeline's own steps — the firmware step checks the image's SHA-256 and, when the profile lists
 * signing keys, its MCUboot signature before a byte is uploaded, then uploads, marks it for test and resets into it;
 * the basis profile's diagnostics run on the new image; finalize confirms it. Any failure after the test mark is
 * rolled back by the pipeline's rollback: a reset, and MCUboot boots the previous, confirmed image again.
 */
import { createHash } from 'node:crypto';
import { dirname, resolve } from 'node:path';
import { compareVersions, formatZephyrVersion, parseMcubootImage } from '../../device/mcuboot-image';
import { FieldlineError } from '../../errors';
import { LOAD_LIMITS } from '../../profiles/limits';
import { loadProfile, type LoadedProfile } from '../../profiles/load';
import { readRegularFile } from '../../profiles/regular-file';
import type { RunContext } from '../../provisioning/context';
import { diagnostics } from '../../provisioning/steps/diagnostics';
import { finalize } from '../../provisioning/steps/finalize';
import { firmware } from '../../provisioning/steps/firmware';
import { prepareDiagnostics } from './diagnose';
import type { ActionPlan } from './record';
import type { ServiceSources } from './sources';
import { checkFirmwareRelease } from '../../sync/release-gate';

const IMAGE_CAP = { maxBytes: LOAD_LIMITS.imageBytes, what: 'firmware image' };

/** The image to install, and the profile whose signing keys judge it. */
interface ImageChoice {
  path: string;
  sha256: string;
  version: string;
  /** The profile whose firmware.signingKeys (relative to its file) the image must be signed by. */
  keysFrom: LoadedProfile;
  from: string;
}

async function imageFacts(path: string): Promise<{ sha256: string; version: string }> {
  const bytes = await readRegularFile(path, IMAGE_CAP);
  return { sha256: createHash('sha256').update(bytes).digest('hex'), version: formatZephyrVersion(parseMcubootImage(bytes).version) };
}

/** A profile's firmware image file: beside the profile, else (a release pulled by hash) the kit's or the station's copy. */
async function profileImage(profile: LoadedProfile, sources: ServiceSources): Promise<{ path: string; sha256: string; version: string } | undefined> {
  const spec = profile.profile.firmware;
  if (!spec?.image || !spec.sha256) return undefined;
  const sha256 = spec.sha256.toLowerCase();
  const beside = resolve(dirname(profile.path), spec.image);
  const facts = await imageFacts(beside).catch(() => undefined);
  if (facts?.sha256 === sha256) return { path: beside, ...facts };
  const path = sources.firmwareBySha(sha256);
  return path ? { path, ...(await imageFacts(path)) } : undefined;
}

/** The firmware version a release brings: its image's own version when the image is at hand, else its minimum. */
export async function releasedFirmwareVersion(release: LoadedProfile, sources: ServiceSources): Promise<string | undefined> {
  return (await profileImage(release, sources).catch(() => undefined))?.version ?? release.profile.firmware?.minVersion;
}

/** The current release's image of the basis profile's name. */
async function releasedImage(ctx: RunContext, sources: ServiceSources): Promise<ImageChoice> {
  const name = ctx.profile.profile.name;
  const latest = sources.latestProfile(name);
  if (!latest) {
    throw new FieldlineError('FIRMWARE_UPDATE_FAILED', `no release of ${name} is known to this station or its visit kit: give an image (--image FILE)`);
  }
  // A pulled release's image is not beside it but stored by hash (profileImage finds it), so the file check is skipped;
  // the image's SHA-256 is checked against the profile's before anything is uploaded.
  const release = await loadProfile(latest.path, { checkFiles: false });
  const image = await profileImage(release, sources);
  if (!image) {
    throw new FieldlineError('FIRMWARE_UPDATE_FAILED', `the current release ${name}@${latest.version} names no firmware image at hand (neither beside it nor in the visit kit): give an image (--image FILE)`);
  }
  return { ...image, keysFrom: release, from: `release ${name}@${latest.version}` };
}

async function givenImage(ctx: RunContext, file: string): Promise<ImageChoice> {
  const path = resolve(file);
  const facts = await imageFacts(path);
  return { path, ...facts, keysFrom: ctx.profile, from: `image ${path}` };
}

export interface UpdateOptions {
  sources: ServiceSources;
  /** An image file instead of the current release's. */
  image?: string;
  /** The station's data directory: on a station that follows a release channel, a given image must be a firmware release of it. */
  dataDir: string;
  /** Use a given image that is not a firmware release of the followed channel (an override; audited). */
  allowUnreleased?: boolean;
}

/**
 * The release gate for a given image, before anything is recorded: on a station that follows a channel, the image
 * must be a pulled firmware release of it (as a profile's image must be for a run), unless allowed — then audited.
 */
async function gateGivenImage(ctx: RunContext, options: UpdateOptions & { image: string }): Promise<void> {
  const { path, sha256 } = await givenImage(ctx, options.image);
  const check = await checkFirmwareRelease(options.dataDir, { image: path, sha256 });
  if (check.kind !== 'unreleased') return;
  if (!options.allowUnreleased) throw new FieldlineError('PROFILE_UNRELEASED', check.reason, { channel: check.channel });
  ctx.store.appendAudit({ actor: ctx.actor, action: 'firmware.unreleased', subject: path, details: { channel: check.channel, sha256, reason: check.reason, command: 'service update' } });
}

export function updatePlan(options: UpdateOptions): ActionPlan {
  const { image } = options;
  return {
    action: 'update',
    needsSigner: false,
    ...(image ? { check: (ctx: RunContext) => gateGivenImage(ctx, { ...options, image }) } : {}),
    steps: [
      {
        name: 'firmware',
        run: async (ctx) => {
          const choice = options.image ? await givenImage(ctx, options.image) : await releasedImage(ctx, options.sources);
          const running = ctx.firmwareBefore ?? '0.0.0';
          if (compareVersions(choice.version, running, false) <= 0) {
            throw new FieldlineError('FIRMWARE_UPDATE_FAILED', `${choice.from} is version ${choice.version}, not newer than the running ${running}: nothing to update`);
          }
          // The firmware step installs an image when the device runs below the minimum: the image's own version is the
          // minimum, and its keys are those of the profile it comes with (resolved beside that profile's file).
          const basis = ctx.profile;
          ctx.profile = {
            ...basis,
            path: choice.keysFrom.path,
            profile: { ...basis.profile, firmware: { minVersion: choice.version, image: choice.path, sha256: choice.sha256, ...(choice.keysFrom.profile.firmware?.signingKeys ? { signingKeys: choice.keysFrom.profile.firmware.signingKeys } : {}) } },
          };
          try {
            return { from: choice.from, ...(await firmware(ctx)) };
          } finally {
            ctx.profile = basis;
          }
        },
      },
      {
        name: 'diagnostics',
        run: async (ctx, basis) => {
          await prepareDiagnostics(ctx, basis);
          return diagnostics(ctx);
        },
      },
      { name: 'finalize', run: (ctx) => finalize(ctx) },
    ],
  };
}
