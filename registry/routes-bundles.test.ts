/** Offline bundles and station keys over real HTTP on loopback. */
import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keyIdOf, serializeBundle } from '../main/shared/bundle-format';
import { createBundle } from '../main/sync/bundle';
import { batchUploadReplySchema, deviceReplySchema, errorReplySchema, stationKeyReplySchema } from '../main/contract/registry/api';
import type { StationKey } from '../main/sync/station-key';
import { registryRunRecord, testEngines, type EngineTestRegistry } from '../main/testing/registry';

// The whole file runs against each engine; PostgreSQL's block says why when it is skipped.
for (const engine of testEngines()) {
  describe.skipIf(engine.unavailable !== undefined)(`on ${engine.title}`, () => {
    let reg: EngineTestRegistry;

    beforeAll(async () => {
      reg = await engine.start({ maxBundleBytes: 512 * 1024 });
    });
    afterAll(async () => {
      await reg?.close();
    });

    function newKey(): StationKey {
      const { privateKey, publicKey } = generateKeyPairSync('ed25519');
      const spki = Buffer.from(publicKey.export({ type: 'spki', format: 'der' })).toString('base64');
      return { privateKey, publicKey: spki, keyId: keyIdOf(spki) };
    }

    function postBundle(bytes: Uint8Array | string, token = reg.token, contentType = 'application/json'): Promise<Response> {
      return fetch(`${reg.url}/v1/bundles`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': contentType }, body: bytes });
    }

    function postKey(publicKey: string, token = reg.token): Promise<Response> {
      return fetch(`${reg.url}/v1/stations/me/keys`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ publicKey }),
      });
    }

    async function errorOf(res: Response): Promise<{ status: number; code: string; message: string }> {
      return { status: res.status, ...errorReplySchema.parse(await res.json()).error };
    }

    describe('POST /v1/stations/me/keys', () => {
      it("registers the token's station key, idempotently; another station cannot claim it", async () => {
        const key = newKey();
        const first = await postKey(key.publicKey);
        expect(first.status).toBe(200);
        expect(stationKeyReplySchema.parse(await first.json())).toEqual({ station: 'test-station', keyId: key.keyId });
        const again = await postKey(key.publicKey);
        expect(await again.json()).toEqual({ station: 'test-station', keyId: key.keyId });
        expect(await errorOf(await postKey(key.publicKey, await reg.addToken('thief')))).toMatchObject({ status: 409, code: 'KEY_CONFLICT' });
      });

      it('refuses what is not an Ed25519 public key', async () => {
        const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
        for (const bad of ['AAAA', rsa.slice(0, 200)]) {
          expect(await errorOf(await postKey(bad))).toMatchObject({ status: 400, code: 'KEY_INVALID' });
        }
      });
    });

    describe('POST /v1/bundles', () => {
      it('accepts a bundle signed with a key registered to its station, crediting that station, de-duplicated', async () => {
        const key = newKey();
        await reg.addKey('offline-site', key.publicKey);
        const records = [registryRunRecord({ serial: 'GW-BUN-1' }), registryRunRecord({ serial: 'GW-BUN-2' })];
        const bytes = serializeBundle(createBundle(records, 'offline-site', key));
        // Carried in by another, connected station: its own token, not the bundle station's.
        const res = await postBundle(bytes);
        expect(res.status).toBe(200);
        expect(batchUploadReplySchema.parse(await res.json())).toEqual({ accepted: records.map((r) => r.id), duplicate: [], rejected: [] });
        const device = deviceReplySchema.parse(await (await fetch(`${reg.url}/v1/devices/GW-BUN-1`, { headers: { authorization: `Bearer ${reg.token}` } })).json());
        expect(device.runs.map((r) => [r.id, r.receivedFrom])).toEqual([[records[0]?.id, 'offline-site']]);

        const again = await postBundle(bytes, reg.token, 'application/octet-stream');
        expect(await again.json()).toEqual({ accepted: [], duplicate: records.map((r) => r.id), rejected: [] });
      });

      it('refuses (403) a bundle whose key is unregistered, or registered to another station', async () => {
        const unknown = newKey();
        const records = [registryRunRecord()];
        expect(await errorOf(await postBundle(serializeBundle(createBundle(records, 'offline-site', unknown))))).toMatchObject({
          status: 403,
          code: 'KEY_NOT_REGISTERED',
        });
        const siteB = newKey();
        await reg.addKey('site-b', siteB.publicKey);
        const res = await postBundle(serializeBundle(createBundle(records, 'offline-site', siteB)));
        expect(await errorOf(res)).toMatchObject({ status: 403, code: 'KEY_NOT_REGISTERED', message: expect.stringContaining('site-b') });
        expect(await reg.column('SELECT count(*) FROM records WHERE id = ?', [records[0]?.id])).toEqual([0]);
      });

      it('refuses (400, BUNDLE_INVALID) a bundle with one altered byte, wherever it is', async () => {
        const key = newKey();
        await reg.addKey('site-c', key.publicKey);
        const records = [registryRunRecord({ serial: 'GW-TAMPER' })];
        const bytes = serializeBundle(createBundle(records, 'site-c', key));
        const text = bytes.toString('utf8');
        // One byte in a record (the serial), one in the manifest (a count), one in the signature.
        const spots = [text.indexOf('GW-TAMPER') + 3, text.indexOf('"count":') + 8, text.indexOf('"signature":"') + 20];
        for (const at of spots) {
          const altered = Buffer.from(bytes);
          altered[at] = altered[at] === 0x41 ? 0x42 : 0x41;
          const e = await errorOf(await postBundle(altered));
          expect(e, `byte ${at}`).toMatchObject({ status: 400, code: 'BUNDLE_INVALID' });
        }
        expect(await reg.column('SELECT count(*) FROM records WHERE id = ?', [records[0]?.id])).toEqual([0]);
        expect(await errorOf(await postBundle('not json at all'))).toMatchObject({ status: 400, code: 'BUNDLE_INVALID' });
      });

      it('refuses (400, BUNDLE_INVALID) JSON nested too deep to check, before parsing it; checks each record like a batch', async () => {
        for (const levels of [2_000, 200_000]) {
          const deep = `{"manifest":${'['.repeat(levels)}${']'.repeat(levels)}}`;
          expect(await errorOf(await postBundle(deep)), `${levels} levels`).toMatchObject({ status: 400, code: 'BUNDLE_INVALID', message: expect.stringContaining('nested deeper') });
        }
        // A signed bundle whose record breaks the edge bounds: that record is rejected, the other stored.
        const key = newKey();
        await reg.addKey('site-d', key.publicKey);
        let deep: unknown = 'leaf';
        for (let i = 0; i < 33; i += 1) deep = { a: deep };
        const bad = registryRunRecord({ serial: 'GW-BUN-DEEP' });
        bad.steps[0]!.evidence = deep as Record<string, unknown>;
        const good = registryRunRecord({ serial: 'GW-BUN-OK' });
        const res = await postBundle(serializeBundle(createBundle([bad, good], 'site-d', key)));
        expect(batchUploadReplySchema.parse(await res.json())).toEqual({
          accepted: [good.id],
          duplicate: [],
          rejected: [{ id: bad.id, code: 'RECORD_INVALID', reason: expect.stringMatching(/^steps\.0\.evidence: nested deeper than 32 levels/) }],
        });
      });

      it('answers 413 for a bundle over the limit', async () => {
        const key = newKey();
        const records = Array.from({ length: 3 }, () => ({ ...registryRunRecord(), variables: { pad: 'x'.repeat(200 * 1024) } }));
        const e = await errorOf(await postBundle(serializeBundle(createBundle(records, 'site-c', key))));
        expect(e).toMatchObject({ status: 413, code: 'PAYLOAD_TOO_LARGE' });
      });
    });
  });
}
