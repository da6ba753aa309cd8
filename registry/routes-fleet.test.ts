/**
 * Stations as a fleet over real HTTP, on each engine: the heartbeat kept (the latest per station), the station
 * list, yields over a period counted from the records held, the bounds of each, hostile names returned as data and
 * never written into the dashboard's files, and the dashboard's files served under a strict CSP.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorReplySchema } from '../main/contract/registry/api';
import { FLEET_LIMITS, stationsReplySchema, yieldReplySchema, type Heartbeat } from '../main/contract/registry/fleet';
import type { RunRecord } from '../main/contract/run-record';
import { registryRunRecord, testEngines, type EngineTestRegistry } from '../main/testing/registry';
import { DASHBOARD_CSP } from './dashboard';

const HOSTILE = `line-2 <img src=x onerror="alert(1)"> '&"</script>`;

const beat = (pending: number, extra: Partial<Heartbeat> = {}): Heartbeat => ({
  version: '0.1.0',
  queue: { pending, deadLetter: 1 },
  lastRun: { id: '7f1c7a3e-7a4b-4d38-9b5e-1d2f3a4b5c6d', at: '2026-12-01T08:00:00.000Z', outcome: 'passed' },
  lineSession: { profile: 'gateway-eu', since: '2026-12-01T07:00:00.000Z', passed: 12, failed: 1 },
  ...extra,
});

function run(serial: string, startedAt: string, outcome: RunRecord['outcome'], profile = 'gateway-eu', version = '1.0.0'): RunRecord {
  const record = registryRunRecord({ serial, startedAt, outcome });
  return { ...record, profile: { ...record.profile, name: profile, version } };
}

for (const engine of testEngines()) {
  describe.skipIf(engine.unavailable !== undefined)(`on ${engine.title}`, () => {
    let reg: EngineTestRegistry;
    let clock = new Date('2026-12-01T09:00:00.000Z');
    let hostileToken: string;

    beforeAll(async () => {
      reg = await engine.start({ now: () => clock });
      hostileToken = await reg.addToken(HOSTILE);
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

    async function upload(records: RunRecord[], token: string): Promise<void> {
      const res = await call('POST', '/v1/records:batch', { records }, token);
      expect(res.status).toBe(200);
      expect((await res.json()) as { accepted: string[] }).toMatchObject({ accepted: records.map((r) => r.id) });
    }

    async function stations() {
      const res = await call('GET', '/v1/stations');
      expect(res.status).toBe(200);
      return stationsReplySchema.parse(await res.json()).stations;
    }

    async function errorOf(res: Response): Promise<{ status: number; code: string; message: string }> {
      return { status: res.status, ...errorReplySchema.parse(await res.json()).error };
    }

    it('keeps the latest heartbeat per station, with when it was seen; a station without one is listed as never seen', async () => {
      const first = await call('PUT', '/v1/stations/me/heartbeat', beat(5));
      expect(first.status).toBe(200);
      expect(await first.json()).toEqual({ station: 'test-station', lastSeen: '2026-12-01T09:00:00.000Z' });
      clock = new Date('2026-12-01T09:05:00.000Z');
      expect((await call('PUT', '/v1/stations/me/heartbeat', beat(0, { lineSession: null }))).status).toBe(200);

      const list = await stations();
      expect(list.map((s) => s.name)).toEqual([HOSTILE, 'test-station'].sort((a, b) => (a < b ? -1 : 1)));
      expect(list.find((s) => s.name === 'test-station')).toMatchObject({ lastSeen: '2026-12-01T09:05:00.000Z', heartbeat: beat(0, { lineSession: null }) });
      expect(list.find((s) => s.name === HOSTILE)).toMatchObject({ lastSeen: null, heartbeat: null });
      expect(await reg.column('SELECT count(*) FROM station_heartbeats')).toEqual([1]);
    });

    it('refuses a heartbeat that breaks its bounds, an unknown field, an oversized body, and one without a token', async () => {
      const before = await stations();
      for (const bad of [
        { ...beat(1), queue: { pending: -1, deadLetter: 0 } },
        { ...beat(1), version: 'v'.repeat(65) },
        { ...beat(1), lastRun: { id: 'x', at: 'yesterday', outcome: 'passed' } },
        { ...beat(1), extra: true },
        '[]',
      ]) {
        expect(await errorOf(await call('PUT', '/v1/stations/me/heartbeat', bad))).toMatchObject({ status: 400, code: 'BAD_REQUEST' });
      }
      const huge = { ...beat(1), version: 'x'.repeat(FLEET_LIMITS.heartbeatBytes) };
      expect(await errorOf(await call('PUT', '/v1/stations/me/heartbeat', huge))).toMatchObject({ status: 413, code: 'PAYLOAD_TOO_LARGE' });
      expect((await call('PUT', '/v1/stations/me/heartbeat', beat(1), null)).status).toBe(401);
      expect((await call('GET', '/v1/stations', undefined, null)).status).toBe(401);
      expect((await call('GET', '/v1/yield?from=2026-12-01T00:00:00Z&to=2026-12-02T00:00:00Z', undefined, null)).status).toBe(401);
      expect(await stations()).toEqual(before);
    });

    it('counts passed, failed and all runs that started in [from, to), per station and per profile', async () => {
      await upload(
        [
          run('Y-1', '2026-11-30T23:59:59.999Z', 'passed'), // before the period
          run('Y-2', '2026-12-01T00:00:00.000Z', 'passed'), // its first instant
          run('Y-3', '2026-12-01T10:00:00.000Z', 'failed'),
          run('Y-4', '2026-12-01T11:00:00.000Z', 'passed', 'gateway-us', '2.0.0'),
          run('Y-5', '2026-12-01T12:00:00.000+02:00', 'interrupted'), // 10:00 UTC
          run('Y-6', '2026-12-02T00:00:00.000Z', 'failed'), // the end: not in it
        ],
        reg.token,
      );
      await upload([run('Y-7', '2026-12-01T08:00:00.000Z', 'passed', 'gateway-us', '2.0.0'), run('Y-8', '2026-12-01T09:00:00.000Z', 'failed', 'gateway-us', '2.0.0')], hostileToken);

      const res = await call('GET', `/v1/yield?from=${encodeURIComponent('2026-12-01T01:00:00+01:00')}&to=2026-12-02T00:00:00Z`);
      expect(res.status).toBe(200);
      const reply = yieldReplySchema.parse(await res.json());
      expect(reply.from).toBe('2026-12-01T00:00:00.000Z');
      expect(reply.byStation).toEqual([
        { station: 'test-station', passed: 2, failed: 1, total: 4 },
        { station: HOSTILE, passed: 1, failed: 1, total: 2 },
      ]);
      expect(reply.byProfile).toEqual([
        { profile: 'gateway-eu', version: '1.0.0', passed: 1, failed: 1, total: 3 },
        { profile: 'gateway-us', version: '2.0.0', passed: 2, failed: 1, total: 3 },
      ]);

      const empty = yieldReplySchema.parse(await (await call('GET', '/v1/yield?from=2025-01-01T00:00:00Z&to=2025-01-02T00:00:00Z')).json());
      expect(empty).toMatchObject({ byStation: [], byProfile: [] });
    });

    it('refuses a period that is missing, backwards, longer than the limit or not a time', async () => {
      for (const query of [
        '',
        '?from=2026-12-01T00:00:00Z',
        '?from=2026-12-02T00:00:00Z&to=2026-12-01T00:00:00Z',
        '?from=2026-12-01T00:00:00Z&to=2026-12-01T00:00:00Z',
        `?from=2025-01-01T00:00:00Z&to=2026-01-03T00:00:00Z`,
        '?from=2026-02-30T00:00:00Z&to=2026-12-01T00:00:00Z',
        '?from=monday&to=friday',
        `?from=${'9'.repeat(100)}&to=2026-12-01T00:00:00Z`,
      ]) {
        expect(await errorOf(await call('GET', `/v1/yield${query}`)), query).toMatchObject({ status: 400, code: 'BAD_REQUEST' });
      }
    });

    it('serves the dashboard without a token, under a strict CSP, with no data written into it', async () => {
      for (const [path, type] of [
        ['/', 'text/html'],
        ['/dashboard.js', 'text/javascript'],
        ['/dashboard.css', 'text/css'],
      ] as const) {
        const res = await call('GET', path, undefined, null);
        expect(res.status, path).toBe(200);
        expect(res.headers.get('content-type')).toBe(`${type}; charset=utf-8`);
        expect(res.headers.get('content-security-policy')).toBe(DASHBOARD_CSP);
        expect(res.headers.get('x-content-type-options')).toBe('nosniff');
        const text = await res.text();
        expect(text).not.toContain('onerror');
        expect(text).not.toContain('test-station');
      }
      expect(DASHBOARD_CSP).toContain("script-src 'self'");
      expect(DASHBOARD_CSP).not.toContain('unsafe');
      // The page builds cells with textContent only: no markup is ever parsed from data.
      const script = await (await call('GET', '/dashboard.js', undefined, null)).text();
      expect(script).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|document\.write|eval\(/);
    });
  });
}
