/**
 * Signed releases as the registry keeps them, behind an interface of their own beside RegistryRepository: the
 * artifacts (content-addressed bytes) and the releases that name them in a channel. Each engine's implementation
 * shares the records repository's database (releases-sqlite.ts, releases-postgres.ts; chosen in releases-open.ts).
 */
import type { Release, ReleaseManifest, ReleaseSignature, ReleasesPage } from '../main/contract/registry/releases';

export type PublishOutcome = { kind: 'accepted' | 'duplicate'; release: Release } | { kind: 'conflict'; held: Release } | { kind: 'no-artifact' };

export interface NewRelease {
  manifest: ReleaseManifest;
  signature: ReleaseSignature;
  /** The publisher's public key (SPKI DER, base64), kept with the release for audits. */
  publicKey: string;
  station: string;
}

export interface ReleaseRepository {
  /** Stores the bytes under their SHA-256 (checked by the caller) unless held; answers whether they were new. */
  putArtifact(sha256: string, bytes: Buffer, now: Date): Promise<'accepted' | 'duplicate'>;
  /** The size of a held artifact, or undefined. */
  artifactSize(sha256: string): Promise<number | undefined>;
  artifact(sha256: string): Promise<Buffer | undefined>;
  /**
   * Files the release unless one is held under its channel, kind, name and version: the same artifact is a
   * duplicate (an idempotent re-publish), another one a conflict. One transaction.
   */
  publish(release: NewRelease, now: Date): Promise<PublishOutcome>;
  /** The channel's releases published after the sequence `since`, oldest first. */
  releasesSince(channel: string, since: number, limit: number): Promise<ReleasesPage>;
}
