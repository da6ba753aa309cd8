/**
 * Signed releases (issue #15): a publisher uploads an artifact (a profile or a firmware image, content-addressed by
 * its SHA-256), then publishes it into a channel with a detached Ed25519 signature over the canonical manifest
 * {kind,name,version,sha256,size,channel}. The registry stores and serves; it does not decide trust. Each station
 * verifies the signature against its own trust folder before it stores anything it pulled.
 */
import { z } from 'zod';

/** Firmware images up to the profile loader's image cap (main/profiles/limits.ts imageBytes), profiles far less. */
export const RELEASE_LIMITS = {
  artifactBytes: 32 * 1024 * 1024,
  pageReleases: 500,
} as const;

export const RELEASE_KINDS = ['profile', 'firmware'] as const;
export type ReleaseKind = (typeof RELEASE_KINDS)[number];

export const sha256Schema = z.string().regex(/^[0-9a-f]{64}$/, 'a SHA-256 in lower-case hex');
/** `production`, `pilot`, or any short name that is safe in a URL path and a file name. */
export const channelSchema = z.string().regex(/^[a-z0-9][a-z0-9._-]{0,63}$/, 'a channel: 1-64 of a-z 0-9 . _ -, starting with a letter or digit');
const nameSchema = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/, 'a name: 1-100 of A-Z a-z 0-9 . _ -');
const versionSchema = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9.+_-]{0,63}$/, 'a version: 1-64 of A-Z a-z 0-9 . + _ -');

export const releaseManifestSchema = z
  .object({
    kind: z.enum(RELEASE_KINDS),
    name: nameSchema,
    version: versionSchema,
    sha256: sha256Schema,
    size: z.number().int().min(1).max(RELEASE_LIMITS.artifactBytes),
    channel: channelSchema,
  })
  .strict();
export type ReleaseManifest = z.infer<typeof releaseManifestSchema>;

/** The exact bytes a publisher signs: the manifest's fields in a fixed order, as compact JSON. */
export function canonicalReleaseManifest(m: ReleaseManifest): string {
  return JSON.stringify({ kind: m.kind, name: m.name, version: m.version, sha256: m.sha256, size: m.size, channel: m.channel });
}

export const releaseSignatureSchema = z
  .object({
    algorithm: z.literal('ed25519'),
    /** First 16 hex of the SHA-256 of the publisher's public key (SPKI DER), as profile signatures name keys. */
    keyId: z.string().regex(/^[0-9a-f]{16}$/),
    /** Ed25519 signature (base64, 64 bytes) over canonicalReleaseManifest(manifest). */
    signature: z.string().regex(/^[A-Za-z0-9+/]{86}==$/),
  })
  .strict();
export type ReleaseSignature = z.infer<typeof releaseSignatureSchema>;

/** `POST /v1/releases`: the artifact must have been uploaded first (`PUT /v1/artifacts/{sha256}`). */
export const publishReleaseRequestSchema = z
  .object({
    manifest: releaseManifestSchema,
    signature: releaseSignatureSchema,
    /** The publisher's Ed25519 public key (SPKI DER, base64): the registry checks the signature is whole with it. */
    publicKey: z.string().min(1).max(200),
  })
  .strict();
export type PublishReleaseRequest = z.infer<typeof publishReleaseRequestSchema>;

export const releaseSchema = z.object({
  manifest: releaseManifestSchema,
  signature: releaseSignatureSchema,
  /** The station whose token published it, and when the registry stored it (ISO-8601 UTC). */
  publishedBy: z.string(),
  publishedAt: z.string(),
});
export type Release = z.infer<typeof releaseSchema>;

/** 201 `accepted` when stored now, 200 `duplicate` when this very release (same artifact) was held. */
export const publishReleaseReplySchema = z.object({ result: z.enum(['accepted', 'duplicate']), release: releaseSchema });
export type PublishReleaseReply = z.infer<typeof publishReleaseReplySchema>;

export const artifactPutReplySchema = z.object({
  sha256: sha256Schema,
  size: z.number().int().min(1).max(RELEASE_LIMITS.artifactBytes),
  result: z.enum(['accepted', 'duplicate']),
});
export type ArtifactPutReply = z.infer<typeof artifactPutReplySchema>;

export const releasesPageSchema = z.object({
  releases: z.array(releaseSchema),
  /** Pass as `since` to get the releases published after these; unchanged when there are none. */
  nextCursor: z.string(),
});
export type ReleasesPage = z.infer<typeof releasesPageSchema>;

/** `GET /v1/channels/{channel}/releases?since=CURSOR&limit=N`. */
export const releasesQuerySchema = z.object({
  since: z.string().regex(/^\d{1,15}$/).optional(),
  limit: z.coerce.number().int().min(1).max(RELEASE_LIMITS.pageReleases).default(100),
});
