/**
 * Signed releases: artifacts uploaded by SHA-256 (`PUT /v1/artifacts/{sha256}`, raw bytes, checked against the
 * hash in the path), published into a channel with the publisher's detached signature (`POST /v1/releases`), a
 * channel's feed since a cursor, and an artifact's bytes. The registry checks the signature is whole with the key
 * the publisher sent, so a garbled release is refused at once; whether that key is trusted is each station's call.
 */
import { createHash, createPublicKey, verify, type KeyObject } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { PATHS } from '../main/contract/registry/api';
import {
  canonicalReleaseManifest,
  channelSchema,
  publishReleaseRequestSchema,
  RELEASE_LIMITS,
  releasesQuerySchema,
  sha256Schema,
  type ArtifactPutReply,
  type PublishReleaseReply,
  type PublishReleaseRequest,
} from '../main/contract/registry/releases';
import { stationOf } from './auth';
import { ApiError, describeZod } from './http';
import { routePath } from './paths';
import type { ReleaseRepository } from './releases';

export interface ReleaseRoutesOptions {
  releases: ReleaseRepository;
  now: () => Date;
}

function shaParam(params: unknown): string {
  const sha = sha256Schema.safeParse((params as { sha256?: unknown }).sha256);
  if (!sha.success) throw new ApiError(400, 'BAD_REQUEST', 'sha256: a SHA-256 in lower-case hex (64 characters)');
  return sha.data;
}

function publisherKey(base64: string): KeyObject {
  let key: KeyObject;
  try {
    key = createPublicKey({ key: Buffer.from(base64, 'base64'), format: 'der', type: 'spki' });
  } catch {
    throw new ApiError(400, 'RELEASE_INVALID', 'publicKey: not a public key (SPKI DER, base64)');
  }
  if (key.asymmetricKeyType !== 'ed25519') throw new ApiError(400, 'RELEASE_INVALID', 'publicKey: not an Ed25519 key');
  return key;
}

/** The signature must be the named key's, over exactly this manifest. */
function checkSignature(body: PublishReleaseRequest): void {
  const key = publisherKey(body.publicKey);
  const keyId = createHash('sha256').update(key.export({ type: 'spki', format: 'der' })).digest('hex').slice(0, 16);
  if (keyId !== body.signature.keyId) throw new ApiError(400, 'RELEASE_INVALID', `signature.keyId ${body.signature.keyId} is not the id of publicKey (${keyId})`);
  const ok = verify(null, Buffer.from(canonicalReleaseManifest(body.manifest)), key, Buffer.from(body.signature.signature, 'base64'));
  if (!ok) throw new ApiError(400, 'RELEASE_INVALID', 'the signature does not verify over the manifest with publicKey');
}

export function releaseRoutes(app: FastifyInstance, { releases, now }: ReleaseRoutesOptions): void {
  // Artifacts are bytes: their own scope takes any body raw, up to the artifact limit.
  void app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: RELEASE_LIMITS.artifactBytes }, (_request, body, done) => done(null, body));

    scope.put(routePath(PATHS.artifact), { bodyLimit: RELEASE_LIMITS.artifactBytes }, async (request, reply): Promise<ArtifactPutReply> => {
      const sha256 = shaParam(request.params);
      if (!Buffer.isBuffer(request.body) || request.body.length === 0) throw new ApiError(400, 'BAD_REQUEST', 'the body must be the artifact (1 byte at least)');
      const actual = createHash('sha256').update(request.body).digest('hex');
      if (actual !== sha256) throw new ApiError(400, 'ARTIFACT_INVALID', `the body's SHA-256 is ${actual}, not ${sha256}`);
      const result = await releases.putArtifact(sha256, request.body, now());
      void reply.code(result === 'accepted' ? 201 : 200);
      return { sha256, size: request.body.length, result };
    });
  });

  app.get(routePath(PATHS.artifact), async (request, reply) => {
    const sha256 = shaParam(request.params);
    const bytes = await releases.artifact(sha256);
    if (!bytes) throw new ApiError(404, 'NOT_FOUND', `no artifact ${sha256}`);
    return reply.type('application/octet-stream').send(bytes);
  });

  app.post(routePath(PATHS.releases), { bodyLimit: 16 * 1024 }, async (request, reply): Promise<PublishReleaseReply> => {
    const body = publishReleaseRequestSchema.safeParse(request.body);
    if (!body.success) throw new ApiError(400, 'BAD_REQUEST', `not a release: ${describeZod(body.error, 'body')}`);
    checkSignature(body.data);
    const outcome = await releases.publish({ ...body.data, station: stationOf(request) }, now());
    const { manifest: m } = body.data;
    if (outcome.kind === 'no-artifact') throw new ApiError(400, 'RELEASE_INVALID', `no artifact ${m.sha256} of ${m.size} bytes: upload it first (PUT /v1/artifacts/${m.sha256})`);
    if (outcome.kind === 'conflict') {
      throw new ApiError(409, 'RELEASE_CONFLICT', `${m.kind} ${m.name} ${m.version} is released in ${m.channel} as ${outcome.held.manifest.sha256}; publish a new version`);
    }
    void reply.code(outcome.kind === 'accepted' ? 201 : 200);
    return { result: outcome.kind, release: outcome.release };
  });

  app.get(routePath(PATHS.channelReleases), async (request) => {
    const channel = channelSchema.safeParse((request.params as { channel?: unknown }).channel);
    if (!channel.success) throw new ApiError(400, 'BAD_REQUEST', `channel: ${describeZod(channel.error, 'channel')}`);
    const query = releasesQuerySchema.safeParse(request.query);
    if (!query.success) throw new ApiError(400, 'BAD_REQUEST', describeZod(query.error, 'query'));
    return releases.releasesSince(channel.data, Number(query.data.since ?? 0), query.data.limit);
  });
}
