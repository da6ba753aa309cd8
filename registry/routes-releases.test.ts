/** Signed releases over real HTTP on loopback, on each engine: artifacts by SHA-256, publishing, a channel's feed. */
import { createHash, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorReplySchema } from '../main/contract/registry/api';
import {
  artifactPutReplySchema,
  canonicalReleaseManifest,
  publishReleaseReplySchema,
  releasesPageSchema,
  type PublishReleaseRequest,
  type ReleaseManifest,
} from '../main/contract/registry/releases';
import { testEngines, type EngineTestRegistry } from '../main/testing/registry';

interface Publisher {
  privateKey: KeyObject;
  publicKey: string;
  keyId: string;
}

function newPublisher(): Publisher {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const der = publicKey.export({ type: 'spki', format: 'der' });
  return { privateKey, publicKey: der.toString('base64'), keyId: createHash('sha256').update(der).digest('hex').slice(0, 16) };
}

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

function signed(manifest: ReleaseManifest, publisher: Publisher): PublishReleaseRequest {
  const signature = sign(null, Buffer.from(canonicalReleaseManifest(manifest)), publisher.privateKey).toString('base64');
  return { manifest, signature: { algorithm: 'ed25519', keyId: publisher.keyId, signature }, publicKey: publisher.publicKey };
}

for (const engine of testEngines()) {
  describe.skipIf(engine.unavailable !== undefined)(`on ${engine.title}`, () => {
    let reg: EngineTestRegistry;
    const publisher = newPublisher();

    beforeAll(async () => {
      reg = await engine.start();
    }, 60_000);
    afterAll(async () => {
      await reg?.close();
    });

    const auth = (): Record<string, string> => ({ authorization: `Bearer ${reg.token}` });
    const putArtifact = (sha: string, body: Uint8Array): Promise<Response> =>
      fetch(`${reg.url}/v1/artifacts/${sha}`, { method: 'PUT', headers: { ...auth(), 'content-type': 'application/octet-stream' }, body });
    const publish = (request: unknown): Promise<Response> =>
      fetch(`${reg.url}/v1/releases`, { method: 'POST', headers: { ...auth(), 'content-type': 'application/json' }, body: JSON.stringify(request) });
    const feed = async (channel: string, since?: string) =>
      releasesPageSchema.parse(await (await fetch(`${reg.url}/v1/channels/${channel}/releases${since ? `?since=${since}` : ''}`, { headers: auth() })).json());
    const errorOf = async (res: Response) => ({ status: res.status, ...errorReplySchema.parse(await res.json()).error });

    it('stores an artifact under its SHA-256, idempotently, serves its bytes, and refuses bytes of another hash', async () => {
      const bytes = Buffer.from('name: gw\nversion: 1.0.0\n');
      const sha = sha256(bytes);
      const first = await putArtifact(sha, bytes);
      expect(first.status).toBe(201);
      expect(artifactPutReplySchema.parse(await first.json())).toEqual({ sha256: sha, size: bytes.length, result: 'accepted' });
      expect(artifactPutReplySchema.parse(await (await putArtifact(sha, bytes)).json()).result).toBe('duplicate');
      const got = await fetch(`${reg.url}/v1/artifacts/${sha}`, { headers: auth() });
      expect(Buffer.from(await got.arrayBuffer())).toEqual(bytes);

      const changed = Buffer.from(bytes);
      changed[0] = 0x4e;
      expect(await errorOf(await putArtifact(sha, changed))).toMatchObject({ status: 400, code: 'ARTIFACT_INVALID' });
      expect((await fetch(`${reg.url}/v1/artifacts/${'0'.repeat(64)}`, { headers: auth() })).status).toBe(404);
      expect((await fetch(`${reg.url}/v1/artifacts/${sha}`)).status).toBe(401);
    });

    it('publishes into a channel once, answers a re-publish as duplicate, and a feed pages by cursor per channel', async () => {
      const bytes = Buffer.from('profile bytes v1');
      await putArtifact(sha256(bytes), bytes);
      const manifest: ReleaseManifest = { kind: 'profile', name: 'gateway-eu', version: '1.0.0', sha256: sha256(bytes), size: bytes.length, channel: 'pilot' };
      const first = await publish(signed(manifest, publisher));
      expect(first.status).toBe(201);
      const reply = publishReleaseReplySchema.parse(await first.json());
      expect(reply).toMatchObject({ result: 'accepted', release: { manifest, publishedBy: 'test-station' } });
      const again = await publish(signed(manifest, publisher));
      expect(again.status).toBe(200);
      expect(publishReleaseReplySchema.parse(await again.json()).result).toBe('duplicate');

      const page = await feed('pilot');
      expect(page.releases.map((r) => r.manifest)).toEqual([manifest]);
      expect(page.releases[0]?.signature.keyId).toBe(publisher.keyId);
      expect((await feed('pilot', page.nextCursor)).releases).toEqual([]);
      expect((await feed('production')).releases).toEqual([]);

      const other = Buffer.from('profile bytes v2');
      await putArtifact(sha256(other), other);
      const v2 = { ...manifest, version: '1.1.0', sha256: sha256(other), size: other.length };
      expect((await publish(signed(v2, publisher))).status).toBe(201);
      expect((await feed('pilot', page.nextCursor)).releases.map((r) => r.manifest.version)).toEqual(['1.1.0']);
    });

    it('refuses another artifact under a released version, an unknown artifact, and a signature that does not verify', async () => {
      const bytes = Buffer.from('firmware image');
      await putArtifact(sha256(bytes), bytes);
      const manifest: ReleaseManifest = { kind: 'firmware', name: 'gw-fw', version: '2.0.0', sha256: sha256(bytes), size: bytes.length, channel: 'production' };
      expect((await publish(signed(manifest, publisher))).status).toBe(201);

      const other = Buffer.from('another image');
      await putArtifact(sha256(other), other);
      const conflict = await publish(signed({ ...manifest, sha256: sha256(other), size: other.length }, publisher));
      expect(await errorOf(conflict)).toMatchObject({ status: 409, code: 'RELEASE_CONFLICT' });

      const unknown = await publish(signed({ ...manifest, version: '2.0.1', sha256: 'a'.repeat(64) }, publisher));
      expect(await errorOf(unknown)).toMatchObject({ status: 400, code: 'RELEASE_INVALID' });

      // Signed for one channel, sent for another: the signature covers the channel.
      const moved = { ...signed({ ...manifest, version: '2.0.2' }, publisher), manifest: { ...manifest, version: '2.0.2', channel: 'pilot' } };
      expect(await errorOf(await publish(moved))).toMatchObject({ status: 400, code: 'RELEASE_INVALID', message: expect.stringContaining('does not verify') });

      const stranger = newPublisher();
      const wrongKey = { ...signed({ ...manifest, version: '2.0.3' }, stranger), publicKey: publisher.publicKey };
      expect(await errorOf(await publish(wrongKey))).toMatchObject({ status: 400, code: 'RELEASE_INVALID' });
      expect(await errorOf(await publish({ manifest }))).toMatchObject({ status: 400, code: 'BAD_REQUEST' });
      expect((await fetch(`${reg.url}/v1/channels/Not%20A%20Channel/releases`, { headers: auth() })).status).toBe(400);
    });
  });
}
