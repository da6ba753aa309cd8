/** The registry client against a loopback stub that answers whatever each case needs: every reply is a verdict. */
import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger, type LogRecord } from '../log';
import { startFaultRegistry, type Fault, type FaultRegistry } from '../testing/fault-registry';
import { RegistryClient } from './registry-client';

const TOKEN = 'flt_secret-token-value';
let stub: FaultRegistry | undefined;
const stubs: FaultRegistry[] = [];
afterEach(async () => {
  await Promise.all(stubs.splice(0).map((s) => s.close()));
  stub = undefined;
});

async function clientFor(fault: (i: number) => Fault | undefined, extra: { timeoutMs?: number; now?: () => number; logs?: LogRecord[] } = {}): Promise<RegistryClient> {
  stub = await startFaultRegistry({ fault: (_r, i) => fault(i) });
  stubs.push(stub);
  return new RegistryClient({
    url: stub.url + '/',
    token: TOKEN,
    timeoutMs: extra.timeoutMs ?? 2000,
    ...(extra.now ? { now: extra.now } : {}),
    ...(extra.logs ? { logger: createLogger('t', (r) => extra.logs!.push(r)) } : {}),
  });
}

const body = (ids: string[]): string => JSON.stringify({ records: ids.map((id) => ({ id })) });

describe('uploadBatch', () => {
  it('sends the bearer token and takes an answer that accounts for every id', async () => {
    const logs: LogRecord[] = [];
    const client = await clientFor(() => undefined, { logs });
    const outcome = await client.uploadBatch(body(['a', 'b']), ['a', 'b']);
    expect(outcome).toEqual({ kind: 'acknowledged', reply: { accepted: ['a', 'b'], duplicate: [], rejected: [] } });
    expect(await client.uploadBatch(body(['a']), ['a'])).toEqual({ kind: 'acknowledged', reply: { accepted: [], duplicate: ['a'], rejected: [] } });
    expect(stub!.requests[0]).toMatchObject({ method: 'POST', path: '/v1/records:batch', authorization: `Bearer ${TOKEN}`, ids: ['a', 'b'] });
    // Logged, but never with the token.
    expect(logs.length).toBeGreaterThan(0);
    expect(JSON.stringify(logs)).not.toContain(TOKEN);
  });

  it('treats 5xx, 429, 408, a cut connection, a refused port and a timeout as retryable', async () => {
    const faults: Fault[] = [{ status: 500 }, { status: 503 }, { status: 429 }, { status: 408 }, { destroy: true }];
    const client = await clientFor((i) => faults[i]);
    for (const status of [500, 503, 429, 408]) expect(await client.uploadBatch(body(['a']), ['a'])).toMatchObject({ kind: 'retry', status });
    expect(await client.uploadBatch(body(['a']), ['a'])).toMatchObject({ kind: 'retry', reason: expect.stringMatching(/unreachable/) });

    // The request's own 200 ms timer ended it (only its abort words the reason so), not a stopwatch: a hang without
    // it runs into the test's timeout instead.
    const hanging = await clientFor(() => ({ hang: true }), { timeoutMs: 200 });
    expect(await hanging.uploadBatch(body(['a']), ['a'])).toMatchObject({ kind: 'retry', reason: expect.stringMatching(/no answer within 200 ms/) });

    const free = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, '127.0.0.1', () => {
        const { port } = s.address() as { port: number };
        s.close(() => resolve(port));
      });
    });
    const refused = new RegistryClient({ url: `http://127.0.0.1:${free}`, token: TOKEN });
    expect(await refused.uploadBatch(body(['a']), ['a'])).toMatchObject({ kind: 'retry', reason: expect.stringMatching(/ECONNREFUSED/) });
  });

  it('honours Retry-After as seconds or as an HTTP-date', async () => {
    const now = Date.parse('2026-11-26T06:00:00.000Z');
    const faults: Fault[] = [
      { status: 429, headers: { 'retry-after': '7' } },
      { status: 503, headers: { 'retry-after': 'Thu, 26 Nov 2026 06:01:00 GMT' } },
    ];
    const client = await clientFor((i) => faults[i], { now: () => now });
    expect(await client.uploadBatch(body(['a']), ['a'])).toMatchObject({ kind: 'retry', status: 429, retryAfterMs: 7000 });
    expect(await client.uploadBatch(body(['a']), ['a'])).toMatchObject({ kind: 'retry', status: 503, retryAfterMs: 60_000 });
  });

  it('classifies 401/403 as auth, 413 as too large, 400/422 as invalid, other 4xx and redirects as refused', async () => {
    const faults: Fault[] = [
      { status: 401, body: { error: { code: 'UNAUTHORIZED', message: 'a valid station token is required' } } },
      { status: 403 },
      { status: 413 },
      { status: 400, body: { error: { code: 'BAD_REQUEST', message: 'not a batch' } } },
      { status: 422 },
      { status: 404 },
      { status: 308, headers: { location: 'https://elsewhere.example/v1/records:batch' } },
    ];
    const client = await clientFor((i) => faults[i]);
    const kinds = [];
    for (let i = 0; i < faults.length; i += 1) kinds.push(await client.uploadBatch(body(['a']), ['a']));
    expect(kinds.map((k) => k.kind)).toEqual(['auth', 'auth', 'too-large', 'invalid', 'invalid', 'refused', 'refused']);
    expect(kinds[0]).toMatchObject({ reason: 'HTTP 401 UNAUTHORIZED: a valid station token is required' });
    expect(kinds[6]).toMatchObject({ reason: expect.stringContaining('redirects to https://elsewhere.example') });
    // The redirect was not followed: the token went nowhere else.
    expect(stub!.requests).toHaveLength(faults.length);
  });

  it('refuses a reply that does not account for exactly the ids sent, or is not a batch result', async () => {
    const faults: Fault[] = [
      { status: 200, body: { accepted: ['a'], duplicate: [], rejected: [] } },
      { status: 200, body: { accepted: ['a', 'b', 'c'], duplicate: [], rejected: [] } },
      { status: 200, body: { accepted: ['a', 'b'], duplicate: ['a'], rejected: [] } },
      { status: 200, body: { ok: true } },
      { status: 200, body: 'not json' },
    ];
    const client = await clientFor((i) => faults[i]);
    for (let i = 0; i < faults.length; i += 1) {
      expect(await client.uploadBatch(body(['a', 'b']), ['a', 'b'])).toMatchObject({ kind: 'retry', status: 200 });
    }
  });
});

describe('one-off calls', () => {
  it('turn failures into the technician’s errors', async () => {
    const faults: Fault[] = [
      { status: 401 },
      { status: 403, body: { error: { code: 'KEY_NOT_REGISTERED', message: 'key abc is not registered' } } },
      { status: 400, body: { error: { code: 'BUNDLE_INVALID', message: 'record 1 does not match its hash' } } },
      { status: 502 },
      { status: 200, body: { nope: 1 } },
    ];
    const client = await clientFor((i) => faults[i]);
    const codeOf = async (p: Promise<unknown>): Promise<string> => p.then(() => 'none', (e: { code?: string }) => e.code ?? 'bug');
    expect(await codeOf(client.registerStationKey('AAAA'))).toBe('REGISTRY_AUTH');
    expect(await codeOf(client.uploadBundle(Buffer.from('{}')))).toBe('REGISTRY_REJECTED');
    expect(await codeOf(client.uploadBundle(Buffer.from('{}')))).toBe('BUNDLE_INVALID');
    expect(await codeOf(client.health())).toBe('REGISTRY_UNREACHABLE');
    expect(await codeOf(client.health())).toBe('REGISTRY_BAD_REPLY');
  });

  it('device look-up: undefined for an unknown serial', async () => {
    const client = await clientFor(() => undefined);
    expect(await client.device('GW/with slash')).toBeUndefined();
    expect(stub!.requests[0]?.path).toBe('/v1/devices/GW%2Fwith%20slash');
  });
});

describe('a token bound to its registry', () => {
  it('is sent only to the origin it was given for, checked as each request goes out', async () => {
    const given = await startFaultRegistry();
    const other = await startFaultRegistry();
    stubs.push(given, other);
    const bound = { origin: new URL(given.url).origin, value: TOKEN };

    const right = new RegistryClient({ url: given.url, token: bound, timeoutMs: 2000 });
    await right.health();
    expect(given.requests.map((r) => r.authorization)).toEqual([`Bearer ${TOKEN}`]);

    // A client pointed elsewhere with that token (a URL changed without a new token) sends nothing at all.
    const wrong = new RegistryClient({ url: other.url, token: bound, timeoutMs: 2000 });
    const outcome = await wrong.uploadBatch(body(['a']), ['a']);
    expect(outcome).toEqual({ kind: 'auth', reason: `no token for ${other.url}: run fieldline registry login --url ${other.url} --token-stdin` });
    await expect(wrong.health()).rejects.toMatchObject({ code: 'REGISTRY_TOKEN_NEEDED' });
    await expect(wrong.registerStationKey('AAAA')).rejects.toMatchObject({ code: 'REGISTRY_TOKEN_NEEDED' });
    await expect(wrong.uploadBundle(Buffer.from('{}'))).rejects.toMatchObject({ code: 'REGISTRY_TOKEN_NEEDED' });
    await expect(wrong.device('GW-1')).rejects.toMatchObject({ code: 'REGISTRY_TOKEN_NEEDED' });
    expect(other.requests).toEqual([]);

    // Same host, another port or scheme: another origin.
    const port = new RegistryClient({ url: given.url.replace(/:(\d+)$/, (_m, p: string) => `:${Number(p) + 1}`), token: bound });
    expect(await port.uploadBatch(body(['a']), ['a'])).toMatchObject({ kind: 'auth' });
    const scheme = new RegistryClient({ url: given.url.replace('http:', 'https:'), token: bound });
    expect(await scheme.uploadBatch(body(['a']), ['a'])).toMatchObject({ kind: 'auth' });
  });
});
