/** The record endpoints over real HTTP on loopback: auth, limits, per-record rejection, idempotency, paging. */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registryRunRecord, testEngines, type EngineTestRegistry } from '../main/testing/registry';
import {
  batchUploadReplySchema,
  deviceReplySchema,
  errorReplySchema,
  recordsPageSchema,
  type BatchUploadReply,
} from '../main/contract/registry/api';

// The whole file runs against each engine; PostgreSQL's block says why when it is skipped.
for (const engine of testEngines()) {
  describe.skipIf(engine.unavailable !== undefined)(`on ${engine.title}`, () => {
    let reg: EngineTestRegistry;

    beforeAll(async () => {
      reg = await engine.start({ maxBodyBytes: 256 * 1024 });
    });
    afterAll(async () => {
      await reg?.close();
    });

    /** `token` null sends no Authorization header. */
    function post(path: string, body: string, token: string | null = reg.token, contentType = 'application/json'): Promise<Response> {
      const headers: Record<string, string> = { 'content-type': contentType };
      if (token !== null) headers.authorization = `Bearer ${token}`;
      return fetch(reg.url + path, { method: 'POST', headers, body });
    }

    function get(path: string, token: string | null = reg.token): Promise<Response> {
      return fetch(reg.url + path, { headers: token === null ? {} : { authorization: `Bearer ${token}` } });
    }

    async function upload(records: unknown[], token = reg.token): Promise<BatchUploadReply> {
      const res = await post('/v1/records:batch', JSON.stringify({ records }), token);
      expect(res.status).toBe(200);
      return batchUploadReplySchema.parse(await res.json());
    }

    async function errorOf(res: Response): Promise<{ status: number; code: string; message: string }> {
      const body = errorReplySchema.parse(await res.json());
      return { status: res.status, ...body.error };
    }

    describe('authentication', () => {
      it('answers health without a token', async () => {
        const res = await get('/v1/health', null);
        expect(res.status).toBe(200);
        expect(await res.json()).toEqual({ status: 'ok' });
      });

      it('refuses a missing, malformed or unknown token with the same 401', async () => {
        const body = JSON.stringify({ records: [registryRunRecord()] });
        const wellFormedButUnknown = 'flt_' + 'A'.repeat(43);
        const replies = await Promise.all([
          post('/v1/records:batch', body, null),
          post('/v1/records:batch', body, 'nonsense'),
          post('/v1/records:batch', body, wellFormedButUnknown),
          post('/v1/records:batch', body, reg.token.slice(0, -1) + (reg.token.endsWith('A') ? 'B' : 'A')),
        ]);
        const errors = await Promise.all(replies.map(errorOf));
        for (const [i, e] of errors.entries()) {
          expect(e).toEqual(errors[0]);
          expect(replies[i]?.headers.get('www-authenticate')).toMatch(/^Bearer /);
        }
        expect(errors[0]).toMatchObject({ status: 401, code: 'UNAUTHORIZED' });
      });

      it('requires the token on every endpoint but health', async () => {
        for (const path of ['/v1/records', '/v1/devices/GW-1']) expect((await get(path, null)).status).toBe(401);
        for (const path of ['/v1/bundles', '/v1/stations/me/keys']) expect((await post(path, '{}', null)).status).toBe(401);
      });

      it('accepts a good token', async () => {
        expect((await get('/v1/records?limit=1')).status).toBe(200);
      });
    });

    describe('malformed and oversized requests', () => {
      it('answers 413 for a body over the limit', async () => {
        const big = JSON.stringify({ records: [{ ...registryRunRecord(), variables: { pad: 'x'.repeat(300 * 1024) } }] });
        expect(await errorOf(await post('/v1/records:batch', big))).toMatchObject({ status: 413, code: 'PAYLOAD_TOO_LARGE' });
      });

      it('answers 413 for more records than a batch may hold', async () => {
        const many = Array.from({ length: 501 }, () => ({}));
        expect(await errorOf(await post('/v1/records:batch', JSON.stringify({ records: many })))).toMatchObject({ status: 413, code: 'PAYLOAD_TOO_LARGE' });
      });

      it('answers 400 for malformed JSON and for a body that is not a batch', async () => {
        for (const body of ['{"records": [', '[]', '{"records": {}}', '{"records": [1]}', '{"records": []}', '{"__proto__": {"x": 1}, "records": []}']) {
          const e = await errorOf(await post('/v1/records:batch', body));
          expect(e, body).toMatchObject({ status: 400, code: 'BAD_REQUEST' });
          expect(e.message.length).toBeGreaterThan(0);
        }
      });

      it('answers 415 for a body that is not JSON', async () => {
        expect(await errorOf(await post('/v1/records:batch', 'hello', reg.token, 'text/plain'))).toMatchObject({ status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' });
      });

      it('answers 404 for an unknown path and 405 for a known path with another method', async () => {
        expect(await errorOf(await get('/v1/nothing-here'))).toMatchObject({ status: 404, code: 'NOT_FOUND' });
        const res = await fetch(reg.url + '/v1/records:batch', { method: 'DELETE', headers: { authorization: `Bearer ${reg.token}` } });
        expect(res.headers.get('allow')).toBe('POST');
        expect(await errorOf(res)).toMatchObject({ status: 405, code: 'METHOD_NOT_ALLOWED' });
      });
    });

    describe('batch upload', () => {
      it('rejects one invalid record with a reason and accepts the others; a resend is all duplicate', async () => {
        const good = [registryRunRecord({ serial: 'GW-B1' }), registryRunRecord({ serial: 'GW-B2' })];
        const bad = { ...registryRunRecord({ serial: 'GW-B3' }), outcome: 'exploded' };
        const noId = { device: { serial: 'x' } };
        const reply = await upload([good[0], bad, good[1], noId]);
        expect(reply.accepted).toEqual([good[0]?.id, good[1]?.id]);
        expect(reply.duplicate).toEqual([]);
        expect(reply.rejected).toEqual([
          { id: bad.id, code: 'RECORD_INVALID', reason: expect.stringContaining('outcome') },
          { id: '#3', code: 'RECORD_INVALID', reason: expect.stringContaining('id') },
        ]);

        const again = await upload([good[0], bad, good[1]]);
        expect(again).toEqual({ accepted: [], duplicate: [good[0]?.id, good[1]?.id], rejected: [{ id: bad.id, code: 'RECORD_INVALID', reason: expect.any(String) }] });
      });

      it('keeps the first version when a stored id comes again with other content, and calls that a conflict', async () => {
        const first = registryRunRecord({ serial: 'GW-KEEP', outcome: 'passed' });
        await upload([first]);
        const changed = { ...first, outcome: 'failed' as const };
        expect(await upload([changed])).toEqual({ accepted: [], duplicate: [], rejected: [{ id: first.id, code: 'RECORD_CONFLICT', reason: expect.stringContaining('outcome') }] });
        const device = deviceReplySchema.parse(await (await get('/v1/devices/GW-KEEP')).json());
        expect(device.runs.map((r) => r.outcome)).toEqual(['passed']);
      });

      it('stores each record exactly once under 50 parallel uploads of the same batch', async () => {
        const batch = Array.from({ length: 20 }, (_, i) => registryRunRecord({ serial: `GW-PAR-${i % 4}` }));
        const body = JSON.stringify({ records: batch });
        // Separate connections, not one keep-alive socket taking turns: each fetch gets its own agent-less request.
        const replies = await Promise.all(
          Array.from({ length: 50 }, async () => {
            const res = await fetch(reg.url + '/v1/records:batch', {
              method: 'POST',
              headers: { 'content-type': 'application/json', authorization: `Bearer ${reg.token}`, connection: 'close' },
              body,
            });
            expect(res.status).toBe(200);
            return batchUploadReplySchema.parse(await res.json());
          }),
        );
        const acceptedCount = new Map<string, number>();
        for (const r of replies) {
          expect(r.rejected).toEqual([]);
          expect(r.accepted.length + r.duplicate.length).toBe(batch.length);
          for (const id of r.accepted) acceptedCount.set(id, (acceptedCount.get(id) ?? 0) + 1);
        }
        expect([...acceptedCount.entries()].sort()).toEqual(batch.map((r) => [r.id, 1] as const).sort());
        const rows = (await reg.query(`SELECT id, count(*) AS n FROM records WHERE serial LIKE 'GW-PAR-%' GROUP BY id`)) as Array<{ id: string; n: number | string }>;
        expect(rows).toHaveLength(batch.length);
        expect(rows.every((r) => Number(r.n) === 1)).toBe(true);
      });
    });

    describe('device look-up', () => {
      it('answers the device with its runs, each with receivedAt and receivedFrom; 404 for an unknown one', async () => {
        const other = await reg.addToken('line-7');
        const a = registryRunRecord({ serial: 'GW/ÄÖ 1', startedAt: '2026-11-20T10:00:00.000Z' });
        const b = registryRunRecord({ serial: 'GW/ÄÖ 1', startedAt: '2026-11-21T10:00:00.000Z', outcome: 'passed' });
        await upload([b], other);
        await upload([a]);
        const res = await get(`/v1/devices/${encodeURIComponent('GW/ÄÖ 1')}`);
        expect(res.status).toBe(200);
        const device = deviceReplySchema.parse(await res.json());
        expect(device).toMatchObject({ serial: 'GW/ÄÖ 1', firstSeen: a.startedAt, lastSeen: b.endedAt });
        expect(device.runs.map((r) => [r.id, r.receivedFrom])).toEqual([
          [a.id, 'test-station'],
          [b.id, 'line-7'],
        ]);
        const { receivedAt, receivedFrom: _from, ...stored } = device.runs[0]!;
        // Stored as sent, but with the station of the token that sent it (a says line-3).
        expect(stored).toEqual({ ...a, station: { name: 'test-station' } });
        expect(Date.parse(receivedAt)).not.toBeNaN();
        expect(await errorOf(await get('/v1/devices/NO-SUCH'))).toMatchObject({ status: 404, code: 'NOT_FOUND' });
      });

      it('links a unit and its replacement both ways, from the passed record that names `replaces`', async () => {
        const old = registryRunRecord({ serial: 'GW-OLD-1', startedAt: '2026-11-20T10:00:00.000Z', outcome: 'passed' });
        const failed = { ...registryRunRecord({ serial: 'GW-OTHER-1', startedAt: '2026-11-21T09:00:00.000Z', outcome: 'failed' }), replaces: 'GW-OLD-1' };
        const replacement = { ...registryRunRecord({ serial: 'GW-NEW-1', startedAt: '2026-11-21T10:00:00.000Z', outcome: 'passed' }), replaces: 'GW-OLD-1' };
        expect((await upload([old, failed, replacement])).accepted).toHaveLength(3);
        const device = async (serial: string) => deviceReplySchema.parse(await (await get(`/v1/devices/${serial}`)).json());
        expect(await device('GW-OLD-1')).toMatchObject({ replacedBy: 'GW-NEW-1' });
        expect((await device('GW-OLD-1')).replaces).toBeUndefined();
        expect(await device('GW-NEW-1')).toMatchObject({ replaces: 'GW-OLD-1' });
        expect((await device('GW-NEW-1')).replacedBy).toBeUndefined();
        // A failed attempt links nothing: the old unit was not replaced by it.
        expect((await device('GW-OTHER-1')).replaces).toBeUndefined();
      });
    });

    describe('records since a cursor', () => {
      it('pages through every record once, in receive order, and keeps the cursor when nothing is new', async () => {
        let cursor: string | undefined;
        const seen: string[] = [];
        for (;;) {
          const res = await get(`/v1/records?limit=7&since=${encodeURIComponent(cursor ?? '')}`);
          expect(res.status).toBe(200);
          const page = recordsPageSchema.parse(await res.json());
          seen.push(...page.records.map((r) => r.id));
          if (page.records.length === 0) {
            expect(page.nextCursor).toBe(cursor);
            break;
          }
          cursor = page.nextCursor;
        }
        const all = await reg.column('SELECT id FROM records ORDER BY seq');
        expect(seen).toEqual(all);
        expect(new Set(seen).size).toBe(seen.length);

        const fresh = registryRunRecord({ serial: 'GW-LATE' });
        await upload([fresh, { id: randomUUID() }]);
        const page = recordsPageSchema.parse(await (await get(`/v1/records?since=${cursor}`)).json());
        expect(page.records.map((r) => r.id)).toEqual([fresh.id]);
      });

      it('refuses a cursor it did not give out, and a limit out of range', async () => {
        for (const q of ['since=abc', 'since=-1', 'limit=0', 'limit=1001', 'limit=2.5']) {
          expect(await errorOf(await get(`/v1/records?${q}`)), q).toMatchObject({ status: 400, code: 'BAD_REQUEST' });
        }
      });
    });
  });
}
