/**
 * Every way a request can fail, over real HTTP on loopback: each answer has the API's error body
 * (`{"error":{"code","message"}}` with a code from REGISTRY_ERROR_CODES), whether the registry's own code refused it,
 * fastify's parser or router, or Node's HTTP parser. Oversized bodies get their 413 as a reply the client reads,
 * never a reset connection. Requests a fetch cannot make (a malformed request line, 20 KiB of headers, a lying
 * Content-Length) are written on a raw socket.
 */
import { connect, type AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LIMITS, REGISTRY_ERROR_CODES } from '../main/contract/registry/api';
import { registryRunRecord, testEngines, type EngineTestRegistry } from '../main/testing/registry';
import { buildRegistryApp } from './app';
import { SqliteRepository } from './sqlite-repository';
import { openRegistryDb } from './db';

/** The real batch limit: a body just over it is far more than the sockets buffer, which is what lost replies. */
const LIMIT = LIMITS.batchBytes;
const BUNDLE_LIMIT = 1024 * 1024;
// The whole file runs against each engine; PostgreSQL's block says why when it is skipped.
for (const engine of testEngines()) {
  describe.skipIf(engine.unavailable !== undefined)(`on ${engine.title}`, () => {
    let reg: EngineTestRegistry;

    beforeAll(async () => {
      reg = await engine.start({ maxBundleBytes: BUNDLE_LIMIT });
    });
    afterAll(async () => {
      await reg?.close();
    });

    interface Answer {
      status: number;
      headers: Record<string, string>;
      body: string;
    }

    /**
     * Writes `request` (head and body, as given) on a new connection and reads the reply. Resolves only once every byte
     * was written and a whole reply read; a reset or broken pipe on the way is a failure, even after a reply arrived —
     * a client that is still sending sees the error, not the reply.
     */
    function raw(request: string | Buffer): Promise<Answer> {
      return new Promise((resolve, reject) => {
        const socket = connect(reg.port, '127.0.0.1');
        const chunks: Buffer[] = [];
        let answer: Answer | undefined;
        let written = false;
        const settle = (): void => {
          if (answer && written) {
            socket.destroy();
            resolve(answer);
          }
        };
        socket.on('data', (c) => {
          chunks.push(c);
          answer ??= parse(Buffer.concat(chunks));
          settle();
        });
        socket.on('error', (err) => reject(new Error(`${(err as NodeJS.ErrnoException).code ?? err.message} (reply so far: ${Buffer.concat(chunks).toString('latin1').slice(0, 40)})`)));
        socket.on('close', () => reject(new Error(`closed without a complete reply: ${Buffer.concat(chunks).toString('latin1').slice(0, 200)}`)));
        socket.write(request, (err) => {
          if (err) return;
          written = true;
          settle();
        });
      });
    }

    /** A complete HTTP/1.1 reply with a Content-Length body, or undefined while more is to come. */
    function parse(bytes: Buffer): Answer | undefined {
      const end = bytes.indexOf('\r\n\r\n');
      if (end < 0) return undefined;
      const [statusLine = '', ...lines] = bytes.subarray(0, end).toString('latin1').split('\r\n');
      const headers: Record<string, string> = {};
      for (const line of lines) {
        const at = line.indexOf(':');
        headers[line.slice(0, at).trim().toLowerCase()] = line.slice(at + 1).trim();
      }
      const length = Number(headers['content-length'] ?? NaN);
      if (!Number.isInteger(length) || bytes.length < end + 4 + length) return undefined;
      return { status: Number(statusLine.split(' ')[1]), headers, body: bytes.subarray(end + 4, end + 4 + length).toString('utf8') };
    }

    function expectApiError(answer: { status: number; body: string }, status: number, code: string): void {
      expect(answer.status).toBe(status);
      const parsed = JSON.parse(answer.body) as { error?: { code?: unknown; message?: unknown } };
      expect(Object.keys(parsed)).toEqual(['error']);
      expect(parsed.error).toEqual({ code, message: expect.any(String) });
      expect((REGISTRY_ERROR_CODES as readonly string[]).includes(code)).toBe(true);
    }

    async function fetched(path: string, init: RequestInit = {}, token: string | null = reg.token): Promise<Answer> {
      const headers = new Headers(init.headers);
      if (token !== null) headers.set('authorization', `Bearer ${token}`);
      const res = await fetch(reg.url + path, { ...init, headers });
      return { status: res.status, headers: Object.fromEntries(res.headers), body: await res.text() };
    }

    const json = { 'content-type': 'application/json' };

    describe('every error has the API error body', () => {
      const cases: Array<[string, () => Promise<Answer>, number, string]> = [
        ['unknown path', () => fetched('/v1/nothing-here'), 404, 'NOT_FOUND'],
        // `/` is the dashboard (dashboard.ts).
        ['unknown path outside /v1', () => fetched('/nothing-here', {}, null), 404, 'NOT_FOUND'],
        ['known path, other method', () => fetched('/v1/records:batch', { method: 'DELETE' }), 405, 'METHOD_NOT_ALLOWED'],
        ['no token', () => fetched('/v1/records', {}, null), 401, 'UNAUTHORIZED'],
        ['wrong token', () => fetched('/v1/records', {}, 'flt_' + 'x'.repeat(43)), 401, 'UNAUTHORIZED'],
        ['malformed JSON', () => fetched('/v1/records:batch', { method: 'POST', headers: json, body: '{"records": [' }), 400, 'BAD_REQUEST'],
        ['empty JSON body', () => fetched('/v1/records:batch', { method: 'POST', headers: json, body: '' }), 400, 'BAD_REQUEST'],
        ['__proto__ key', () => fetched('/v1/records:batch', { method: 'POST', headers: json, body: '{"__proto__":{"a":1},"records":[]}' }), 400, 'BAD_REQUEST'],
        ['text/plain body', () => fetched('/v1/records:batch', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'hi' }), 415, 'UNSUPPORTED_MEDIA_TYPE'],
        ['no content type', () => fetched('/v1/records:batch', { method: 'POST', body: new Uint8Array([123, 125]) }), 415, 'UNSUPPORTED_MEDIA_TYPE'],
        ['10,000 records in a batch', () => fetched('/v1/records:batch', { method: 'POST', headers: json, body: JSON.stringify({ records: Array.from({ length: 10_000 }, () => ({})) }) }), 413, 'PAYLOAD_TOO_LARGE'],
        ['bad cursor', () => fetched('/v1/records?since=abc'), 400, 'BAD_REQUEST'],
        ['broken percent-encoding in a path', () => raw(`GET /v1/devices/%E0%A4%A HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${reg.token}\r\n\r\n`), 400, 'BAD_REQUEST'],
        ['path parameter beyond any serial', () => fetched(`/v1/devices/${'S'.repeat(5000)}`), 414, 'URI_TOO_LONG'],
        ['20 KiB of headers', () => raw(`GET /v1/health HTTP/1.1\r\nHost: x\r\nX-Pad: ${'p'.repeat(20 * 1024)}\r\n\r\n`), 431, 'HEADERS_TOO_LARGE'],
        ['a request line that is not HTTP', () => raw('HELLO THERE\r\n\r\n'), 400, 'BAD_REQUEST'],
        ['Content-Length that is not a number', () => raw(`POST /v1/records:batch HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: abc\r\n\r\n{}`), 400, 'BAD_REQUEST'],
      ];
      for (const [name, send, status, code] of cases) {
        it(`${name}: ${status} ${code}`, async () => {
          expectApiError(await send(), status, code);
        });
      }

      it('405 names the methods that work in Allow', async () => {
        expect((await fetched('/v1/records:batch', { method: 'DELETE' })).headers.allow).toBe('POST');
      });
    });

    describe('bodies over the limit', () => {
      const overBy = (n: number, limit = LIMIT): string => {
        // A valid batch, padded to limit + n bytes in a variable's value.
        const record = registryRunRecord({ serial: 'GW-BIG' });
        const bare = JSON.stringify({ records: [{ ...record, variables: { pad: '' } }] });
        return JSON.stringify({ records: [{ ...record, variables: { pad: 'x'.repeat(limit + n - Buffer.byteLength(bare)) } }] });
      };

      it('20 bodies just over the limit each get a 413 reply, none a reset connection', async () => {
        // Written as curl or any plain client does: the head, then the whole body, then read the reply. A server that
        // answers early and closes with the body unread resets the connection, and the reply is lost with it.
        for (let n = 1; n <= 20; n += 1) {
          const body = overBy(n);
          expect(Buffer.byteLength(body)).toBe(LIMIT + n);
          const head = `POST /v1/records:batch HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${reg.token}\r\nContent-Type: application/json\r\nContent-Length: ${LIMIT + n}\r\n\r\n`;
          expectApiError(await raw(Buffer.concat([Buffer.from(head), Buffer.from(body)])), 413, 'PAYLOAD_TOO_LARGE');
        }
      });

      it('20 at once, on keep-alive connections, each get a 413 reply', async () => {
        const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => fetched('/v1/records:batch', { method: 'POST', headers: json, body: overBy(i + 1) })));
        for (const a of answers) expectApiError(a, 413, 'PAYLOAD_TOO_LARGE');
        // The connections are still usable: the unread bodies were drained, not left in the stream.
        expect((await fetched('/v1/health')).status).toBe(200);
      });

      it('a chunked body (no Content-Length) over the limit gets its 413 too, and so does a bundle', async () => {
        const body = overBy(4096);
        const stream = new ReadableStream({
          start(controller) {
            for (let i = 0; i < body.length; i += 8192) controller.enqueue(new TextEncoder().encode(body.slice(i, i + 8192)));
            controller.close();
          },
        });
        expectApiError(await fetched('/v1/records:batch', { method: 'POST', headers: json, body: stream, duplex: 'half' } as RequestInit), 413, 'PAYLOAD_TOO_LARGE');
        expectApiError(await fetched('/v1/bundles', { method: 'POST', headers: json, body: overBy(1, BUNDLE_LIMIT) }), 413, 'PAYLOAD_TOO_LARGE');
      });

      it('an unauthenticated body over the limit gets its 401, also when the client asks to close after', async () => {
        const body = overBy(10);
        const head = `POST /v1/records:batch HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n`;
        expectApiError(await raw(Buffer.concat([Buffer.from(head), Buffer.from(body)])), 401, 'UNAUTHORIZED');
      });

      it('a body declared far beyond the limit is answered at once, without reading it', async () => {
        const head = `POST /v1/records:batch HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${reg.token}\r\nContent-Type: application/json\r\nContent-Length: ${1024 ** 3}\r\n\r\n`;
        const answer = await raw(head);
        expectApiError(answer, 413, 'PAYLOAD_TOO_LARGE');
        expect(answer.headers.connection).toBe('close');
      });
    });

    describe('shutting down', () => {
      it('answers a request that arrives while the registry closes with 503 UNAVAILABLE, in the API format', async () => {
        const db = openRegistryDb(':memory:');
        const app = await buildRegistryApp({ repository: new SqliteRepository(db) });
        let started!: () => void;
        const closeStarted = new Promise<void>((resolve) => (started = resolve));
        let release!: () => void;
        const held = new Promise<void>((resolve) => (release = resolve));
        // Runs after the app's own preClose hook (the registry knows it is closing), and holds the close open while a
        // request comes in: the window in which a station's request meets a registry going down.
        app.addHook('preClose', async () => {
          started();
          await held;
        });
        await app.listen({ port: 0, host: '127.0.0.1' });
        const { port } = app.server.address() as AddressInfo;
        const closing = app.close();
        await closeStarted;
        try {
          const res = await fetch(`http://127.0.0.1:${port}/v1/health`);
          expect(res.headers.get('retry-after')).toBe('1');
          expectApiError({ status: res.status, body: await res.text() }, 503, 'UNAVAILABLE');
        } finally {
          release();
          await closing;
          db.close();
        }
      });
    });
  });
}
