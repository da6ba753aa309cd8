/**
 * The one release gate (issue #15): on a station that follows a release channel, may this profile be used for a
 * run? Every front end that starts runs asks here — `fieldline provision` and `batch`, the app's provision:start,
 * line:start, drift:fix and replace:start — so none of them can forget it or judge it differently. A release of
 * the followed channel (its stored copy hashed again now) whose firmware image is a firmware release of it may; anything else is PROFILE_UNRELEASED unless the
 * caller allows unreleased profiles (`--allow-unreleased`, the app's `allowUnreleased`: an override, judged as the
 * 'override' permission before the call gets here), and then the run is audited as profile.unreleased.
 */
import { resolve } from 'node:path';
import type { RunRecord } from '../contract/run-record';
import { FieldlineError } from '../errors';
import { loadProfile, type LoadedProfile } from '../profiles/load';
import { checkProfileTrust } from '../profiles/signature';
import type { Store } from '../store/types';
import { checkFirmwareRelease, checkProfileRelease } from '../sync/release-gate';

export type RunRelease = NonNullable<RunRecord['release']>;

export interface ReleaseGate {
  /** Use a profile that is not a release of the followed channel (an override; the caller audits the run). */
  allowUnreleased?: boolean;
}

/** What the gate let through: a release (named in the run records), or an unreleased profile it was allowed to. */
export interface ReleaseVerdict {
  release?: RunRelease;
  /** Why the profile is not a release of the followed channel, when it is used anyway. */
  unreleased?: { channel: string; reason: string };
}

/**
 * The gate: the profile's verdict, or PROFILE_UNRELEASED. The profile must be a release of the followed channel, and
 * its firmware image (when it has one) a firmware release of it; a station that follows no channel lets every
 * profile by.
 */
export async function gateProfileRelease(dataDir: string, profile: Pick<LoadedProfile, 'path' | 'sha256' | 'profile'>, gate: ReleaseGate): Promise<ReleaseVerdict> {
  const check = await checkProfileRelease(dataDir, profile);
  if (check.kind === 'not-following') return {};
  const { image, sha256 } = profile.profile.firmware ?? {};
  const firmware = image !== undefined && sha256 !== undefined ? await checkFirmwareRelease(dataDir, { image, sha256 }) : undefined;
  const reasons = [check, firmware].flatMap((c) => (c?.kind === 'unreleased' ? [c.reason] : []));
  const channel = check.kind === 'released' ? check.release.channel : check.channel;
  if (reasons.length > 0 && !gate.allowUnreleased) throw new FieldlineError('PROFILE_UNRELEASED', reasons.join('; '), { channel });
  const fw = firmware?.kind === 'released' ? { firmware: { name: firmware.release.name, version: firmware.release.version, sha256: firmware.release.sha256 } } : {};
  return {
    ...(check.kind === 'released' ? { release: { ...check.release, ...fw } } : {}),
    ...(reasons.length > 0 ? { unreleased: { channel, reason: reasons.join('; ') } } : {}),
  };
}

/** The audit entry of a run with an unreleased profile on a following station; nothing when it was a release. */
export function auditUnreleased(
  store: Pick<Store, 'appendAudit'>,
  entry: { actor: string; profile: Pick<LoadedProfile, 'path' | 'sha256'>; verdict: ReleaseVerdict; command: string },
): void {
  const { unreleased } = entry.verdict;
  if (!unreleased) return;
  store.appendAudit({
    actor: entry.actor,
    action: 'profile.unreleased',
    subject: entry.profile.path,
    details: { channel: unreleased.channel, sha256: entry.profile.sha256, reason: unreleased.reason, command: entry.command },
  });
}

export interface ProfileFileForRun extends ReleaseVerdict {
  profile: LoadedProfile;
  /** Signed by a trusted publisher: a release of the followed channel, or a profile whose .sig verifies. */
  trusted: boolean;
}

/**
 * A loaded profile, for a run: through the gate, then the station's signature policy for anything that is not a
 * release (a release's signature was verified when it was pulled; it has no .sig beside it). The bytes checked are
 * the bytes that run.
 */
export async function gateForRun(profile: LoadedProfile, dataDir: string, options: ReleaseGate & { requireSignature: boolean }): Promise<ProfileFileForRun> {
  const verdict = await gateProfileRelease(dataDir, profile, options);
  if (verdict.release) return { profile, trusted: true, ...verdict };
  const trust = await checkProfileTrust(profile, { dataDir, required: options.requireSignature });
  return { profile, trusted: trust.status === 'trusted', ...verdict };
}

/** A profile file named on the command line, for a run (gateForRun). */
export async function loadProfileFileForRun(file: string, dataDir: string, options: ReleaseGate & { requireSignature: boolean }): Promise<ProfileFileForRun> {
  return gateForRun(await loadProfile(resolve(file)), dataDir, options);
}
