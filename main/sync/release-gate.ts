/**
 * Before a profile is used on a station that follows a channel: is it a release of that channel? Yes only when its
 * bytes hash to a pulled, unrefused release of the channel and the stored copy of that release still hashes to it
 * (checked again here, before each use). A stored copy that changed is refused from then on, with the reason.
 */
import { artifactPath, followedChannel, loadReleaseIndex, saveReleaseIndex, storedArtifactRefusal } from './release-store';

export interface ReleaseName {
  channel: string;
  name: string;
  version: string;
  sha256: string;
}

export type ReleaseCheck = { kind: 'not-following' } | { kind: 'released'; release: ReleaseName } | { kind: 'unreleased'; channel: string; reason: string };

export async function checkProfileRelease(dataDir: string, profile: { path: string; sha256: string }): Promise<ReleaseCheck> {
  const channel = await followedChannel(dataDir);
  if (channel === undefined) return { kind: 'not-following' };
  const index = await loadReleaseIndex(dataDir);
  const ofChannel = index.releases.filter((r) => r.manifest.channel === channel && r.manifest.kind === 'profile');
  const match = ofChannel.find((r) => r.manifest.sha256 === profile.sha256 && r.refused === undefined);
  if (match) {
    const reason = await storedArtifactRefusal(dataDir, match);
    if (reason === undefined) {
      const { name, version, sha256 } = match.manifest;
      return { kind: 'released', release: { channel, name, version, sha256 } };
    }
    match.refused = reason;
    await saveReleaseIndex(dataDir, index);
    return { kind: 'unreleased', channel, reason };
  }
  // The stored copy of a release, changed since: say so, rather than "not a release".
  const stored = ofChannel.find((r) => artifactPath(dataDir, r.manifest) === profile.path);
  if (stored) {
    const reason = stored.refused ?? (await storedArtifactRefusal(dataDir, stored)) ?? 'its bytes are not the release';
    if (stored.refused === undefined) {
      stored.refused = reason;
      await saveReleaseIndex(dataDir, index);
    }
    return { kind: 'unreleased', channel, reason: `${stored.manifest.name} ${stored.manifest.version} is refused: ${reason}` };
  }
  return { kind: 'unreleased', channel, reason: `${profile.path} (SHA-256 ${profile.sha256}) is not a release of channel "${channel}"` };
}

/**
 * Before a firmware image is used on a station that follows a channel: is it a firmware release of that channel?
 * Yes only when its SHA-256 (the profile's firmware.sha256, which the firmware step checks the image's bytes against
 * before any upload) is that of a pulled, unrefused firmware release whose stored copy still hashes to it.
 */
export async function checkFirmwareRelease(dataDir: string, firmware: { image: string; sha256: string }): Promise<ReleaseCheck> {
  const channel = await followedChannel(dataDir);
  if (channel === undefined) return { kind: 'not-following' };
  const sha256 = firmware.sha256.toLowerCase();
  const index = await loadReleaseIndex(dataDir);
  const match = index.releases.find((r) => r.manifest.channel === channel && r.manifest.kind === 'firmware' && r.manifest.sha256 === sha256 && r.refused === undefined);
  if (!match) return { kind: 'unreleased', channel, reason: `the firmware image ${firmware.image} (SHA-256 ${sha256}) is not a firmware release of channel "${channel}"` };
  const reason = await storedArtifactRefusal(dataDir, match);
  if (reason !== undefined) {
    match.refused = reason;
    await saveReleaseIndex(dataDir, index);
    return { kind: 'unreleased', channel, reason: `the firmware release ${match.manifest.name} ${match.manifest.version} is refused: ${reason}` };
  }
  const { name, version } = match.manifest;
  return { kind: 'released', release: { channel, name, version, sha256 } };
}
