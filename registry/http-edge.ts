/**
 * The registry's HTTP edge below the routes: the failures fastify and Node answer by themselves — an unparsable
 * request, 20 KiB of headers, a path segment longer than any serial, a request arriving during shutdown, a body
 * answered before it was read — all answered in the API's error format (http.ts), and never with a reset connection
 * where the client could still be given its reply.
 */
import type { IncomingMessage } from 'node:http';
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { RegistryErrorCode } from '../main/contract/registry/api';
import { ApiError, errorBody } from './http';

/**
 * How much of an unread body the registry reads and throws away so the client can finish sending and read its
 * answer: twice the route's limit, and no more than the limit plus 16 MiB. A body declared larger is answered at
 * once and the connection closed; so is one still arriving after DRAIN_MS.
 */
export function drainCap(routeLimit: number): number {
  return Math.min(2 * routeLimit, routeLimit + 16 * 1024 * 1024);
}
const DRAIN_MS = 10_000;

type Drained = 'ended' | 'too-much' | 'too-slow' | 'gone';

/** Reads `req` to its end and discards it, up to `cap` bytes and DRAIN_MS. */
function discardBody(req: IncomingMessage, cap: number): Promise<Drained> {
  return new Promise((resolve) => {
    let seen = 0;
    const finish = (how: Drained): void => {
      clearTimeout(timer);
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('close', onGone);
      req.off('error', onGone);
      resolve(how);
    };
    const onData = (chunk: Buffer): void => {
      seen += chunk.length;
      if (seen > cap) finish('too-much');
    };
    const onEnd = (): void => finish('ended');
    const onGone = (): void => finish(req.complete ? 'ended' : 'gone');
    const timer = setTimeout(() => finish('too-slow'), DRAIN_MS);
    timer.unref();
    req.on('data', onData);
    req.once('end', onEnd);
    req.once('close', onGone);
    req.once('error', onGone);
    req.resume();
  });
}

/**
 * An answer given before the body was read (401 at onRequest, 413 from the declared length, 415, a parser error)
 * would otherwise go out while the client is still sending; the server then closes a socket with unread bytes, the
 * kernel resets it, and the client sees a broken connection instead of the reply (13 of 20 bodies just over the
 * limit did, issue #11). So the rest of the body is read and discarded first, within drainCap(); after that the
 * connection may even stay open.
 */
async function drainUnreadBody(request: FastifyRequest, reply: FastifyReply, payload: unknown): Promise<unknown> {
  const req = request.raw;
  if (req.complete || req.readableEnded || req.destroyed) return payload;
  const cap = drainCap(request.routeOptions.bodyLimit ?? request.server.initialConfig.bodyLimit ?? 1024 * 1024);
  const declared = Number(req.headers['content-length']);
  const drained = Number.isFinite(declared) && declared > cap ? 'too-much' : await discardBody(req, cap);
  if (drained === 'ended') {
    // fastify's parser asks to close after a refused body; read to its end, the connection is clean again.
    reply.removeHeader('connection');
  } else {
    // Not read to the end: what follows on this connection is the rest of the body, so it cannot carry another request.
    void reply.header('connection', 'close');
  }
  return payload;
}

/** Node's HTTP parser's failures, before fastify sees a request: which status and code, in the API's words. */
function clientFailure(code: string | undefined): [number, RegistryErrorCode, string] {
  if (code === 'HPE_HEADER_OVERFLOW') return [431, 'HEADERS_TOO_LARGE', 'the request line and headers are larger than this registry accepts (16 KiB)'];
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') return [408, 'REQUEST_TIMEOUT', 'the request did not arrive in time'];
  return [400, 'BAD_REQUEST', 'not a well-formed HTTP/1.1 request'];
}

/** fastify's clientErrorHandler: the same reply as its default, in our format. */
export function clientErrorHandler(err: NodeJS.ErrnoException, socket: Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, code, message] = clientFailure(err.code);
  const body = JSON.stringify(errorBody(code, message));
  if (socket.writable) {
    socket.end(
      `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\nContent-Type: application/json; charset=utf-8\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  } else {
    socket.destroy();
  }
}

/** fastify's frameworkErrors: the router's refusals (broken percent-encoding, a parameter over maxParamLength). */
export function frameworkErrors(err: FastifyError, _request: FastifyRequest, reply: FastifyReply): void {
  const [status, code, message]: [number, RegistryErrorCode, string] =
    err.code === 'FST_ERR_MAX_PARAM_LENGTH'
      ? [414, 'URI_TOO_LONG', 'a path segment is longer than any this API takes']
      : err.code === 'FST_ERR_BAD_URL'
        ? [400, 'BAD_REQUEST', 'the path is not valid percent-encoded UTF-8']
        : [400, 'BAD_REQUEST', err.message];
  void reply.code(status).send(errorBody(code, message));
}

/**
 * Hooks on the whole app: the drain above, and a 503 in our format once shutdown has begun (fastify's own
 * return503OnClosing answers in its format, so it is turned off where the app is made).
 */
export function httpEdgeHooks(app: FastifyInstance): void {
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  app.addHook('onRequest', async () => {
    if (closing) throw new ApiError(503, 'UNAVAILABLE', 'the registry is shutting down; try again', { 'retry-after': '1', connection: 'close' });
  });
  app.addHook('onSend', drainUnreadBody);
}
