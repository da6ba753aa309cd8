/**
 * Per-station revocation lists over real HTTP, on each engine (issue #16): a station's upload replaces its whole list,
 * every station's list is read back, and the edge refuses oversized lists, entries out of shape, and no token.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorReplySchema } from '../main/contract/registry/api';
import { REVOCATION_LIMITS, revocationListPutReplySchema, revocationsReplySchema, type RevocationEntry, type RevocationListUpload } from '../main/contract/registry/revocations';
import { testEngines, type EngineTestRegistry } from '../main/testing/registry';

const ISSUER = 'CN=Fieldline Station line-3 Intermediate CA,O=Acme';
const entry = (serial: string, extra: Partial<RevocationEntry> = {}): RevocationEntry => ({ serial, revokedAt: '2026-12-01T08:00:00.000Z', reason: 'replaced', ...extra });

for (const engine of testEngines()) {
  describe.skipIf(engine.unavailable !== undefined)(`on ${engine.title}`, () => {
    let reg: EngineTestRegistry;
    let clock = new Date('2026-12-07T10:00:00.000Z');
    let otherToken: string;

    beforeAll(async () => {
      reg = await engine.start({ now: () => clock });
      otherToken = await reg.addToken('line-7');
    });
    afterAll(async () => {
      await reg?.close();
    });

    const call = (method: string, path: string, body?: unknown, token: string | null = reg.token): Promise<Response> =>
      fetch(reg.url + path, {
        method,
        headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...(token !== null ? { authorization: `Bearer ${token}` } : {}) },
        ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
      });
    const put = (list: unknown, token: string | null = reg.token): Promise<Response> => call('PUT', '/v1/stations/me/revocations', list, token);

    async function lists(query = '') {
      const res = await call('GET', `/v1/revocations${query}`);
      expect(res.status).toBe(200);
      return revocationsReplySchema.parse(await res.json()).lists;
    }

    async function errorOf(res: Response): Promise<{ status: number; code: string; message: string }> {
      return { status: res.status, ...errorReplySchema.parse(await res.json()).error };
    }

    it("replaces the calling station's whole list with each upload, and serves every station's", async () => {
      const first: RevocationListUpload = { issuer: ISSUER, entries: [entry('1a2b'), entry('ff', { fingerprintSha256: 'ab'.repeat(32), reason: 'superseded' })] };
      const res = await put(first);
      expect(res.status).toBe(200);
      expect(revocationListPutReplySchema.parse(await res.json())).toEqual({ station: 'test-station', issuer: ISSUER, updatedAt: '2026-12-07T10:00:00.000Z', count: 2 });

      clock = new Date('2026-12-07T11:00:00.000Z');
      expect((await put({ issuer: 'CN=line-7 CA', entries: [entry('7')] }, otherToken)).status).toBe(200);
      // The second upload is the station's list now: entries it no longer names are gone, not merged.
      const second: RevocationListUpload = { issuer: ISSUER, entries: [entry('ff', { fingerprintSha256: 'ab'.repeat(32), reason: 'superseded' }), entry('0')] };
      expect((await put(second)).status).toBe(200);

      expect(await lists()).toEqual([
        { station: 'line-7', issuer: 'CN=line-7 CA', updatedAt: '2026-12-07T11:00:00.000Z', entries: [entry('7')] },
        { station: 'test-station', issuer: ISSUER, updatedAt: '2026-12-07T11:00:00.000Z', entries: second.entries },
      ]);
      expect((await lists('?station=line-7')).map((l) => l.station)).toEqual(['line-7']);
      expect(await lists('?station=nobody')).toEqual([]);
      // An empty list is a list: the station revoked nothing (or everything it revoked has been dropped).
      expect((await put({ issuer: 'CN=line-7 CA', entries: [] }, otherToken)).status).toBe(200);
      expect((await lists('?station=line-7'))[0]?.entries).toEqual([]);
    });

    it(`takes a list of ${REVOCATION_LIMITS.entries} entries and refuses one more with a 413, keeping the list held`, async () => {
      const full = Array.from({ length: REVOCATION_LIMITS.entries }, (_, i) => entry((i + 1).toString(16)));
      const res = await put({ issuer: 'CN=line-7 CA', entries: full }, otherToken);
      expect(res.status).toBe(200);
      expect(revocationListPutReplySchema.parse(await res.json()).count).toBe(REVOCATION_LIMITS.entries);
      const over = await errorOf(await put({ issuer: 'CN=line-7 CA', entries: [...full, entry('abcdef')] }, otherToken));
      expect(over).toMatchObject({ status: 413, code: 'PAYLOAD_TOO_LARGE' });
      expect((await lists('?station=line-7'))[0]?.entries).toHaveLength(REVOCATION_LIMITS.entries);
    }, 60_000);

    it('refuses entries out of shape, unknown fields and a missing issuer, and changes nothing', async () => {
      const before = await lists();
      const bad: unknown[] = [
        { entries: [] },
        { issuer: '', entries: [] },
        { issuer: 'x'.repeat(REVOCATION_LIMITS.issuerChars + 1), entries: [] },
        { issuer: ISSUER, entries: [entry('1A2B')] },
        { issuer: ISSUER, entries: [entry('00ff')] },
        { issuer: ISSUER, entries: [entry('12:34')] },
        { issuer: ISSUER, entries: [entry('f'.repeat(41))] },
        { issuer: ISSUER, entries: [entry('ff', { fingerprintSha256: 'AB'.repeat(32) })] },
        { issuer: ISSUER, entries: [entry('ff', { revokedAt: '2026-02-30T00:00:00Z' })] },
        { issuer: ISSUER, entries: [entry('ff', { reason: 'r'.repeat(REVOCATION_LIMITS.reasonChars + 1) })] },
        { issuer: ISSUER, entries: [{ ...entry('ff'), extra: 1 }] },
        { issuer: ISSUER, entries: [], station: 'line-7' },
        { issuer: ISSUER, entries: 'all of them' },
        [entry('ff')],
      ];
      for (const body of bad) expect(await errorOf(await put(body)), JSON.stringify(body).slice(0, 80)).toMatchObject({ status: 400, code: 'BAD_REQUEST' });
      expect((await put('{"issuer":', reg.token)).status).toBe(400);
      expect(await lists()).toEqual(before);
    });

    it('wants a token for both, answers other methods with 405, and refuses a bad station query', async () => {
      expect((await put({ issuer: ISSUER, entries: [] }, null)).status).toBe(401);
      expect((await call('GET', '/v1/revocations', undefined, null)).status).toBe(401);
      const wrong = await call('GET', '/v1/stations/me/revocations');
      expect(wrong.status).toBe(405);
      expect(wrong.headers.get('allow')).toBe('PUT');
      expect((await call('POST', '/v1/revocations', {})).status).toBe(405);
      expect((await errorOf(await call('GET', `/v1/revocations?station=${'s'.repeat(201)}`))).code).toBe('BAD_REQUEST');
    });
  });
}
