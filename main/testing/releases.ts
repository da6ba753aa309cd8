/**
 * A release as if `fieldline sync` had pulled it: its bytes stored where the station keeps artifacts and its entry in
 * the release index, for tests of what the station does with what it holds (the release gate, the firmware gate).
 * The signature is a placeholder: pulling verifies signatures (main/sync/release-pull.test.ts), using does not.
 */
import { createHash } from 'node:crypto';
import type { ReleaseManifest } from '../contract/registry/releases';
import { loadReleaseIndex, saveReleaseIndex, storeArtifact } from '../sync/release-store';

export async function holdRelease(
  dataDir: string,
  release: { kind: ReleaseManifest['kind']; name: string; version: string; channel: string; bytes: Uint8Array; publishedAt?: string },
): Promise<ReleaseManifest> {
  const { bytes, publishedAt, ...named } = release;
  const manifest: ReleaseManifest = { ...named, sha256: createHash('sha256').update(bytes).digest('hex'), size: bytes.length };
  await storeArtifact(dataDir, manifest, bytes);
  const index = await loadReleaseIndex(dataDir);
  const now = new Date().toISOString();
  index.releases.push({ manifest, signature: { algorithm: 'ed25519', keyId: '0'.repeat(16), signature: `${'A'.repeat(86)}==` }, publishedAt: publishedAt ?? now, pulledAt: now });
  await saveReleaseIndex(dataDir, index);
  return manifest;
}
