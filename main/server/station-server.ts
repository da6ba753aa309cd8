/**
 * Station web mode: the built renderer and the contract over a WebSocket at /api, from one node:http server.
 * Loopback by default. Bound to any other address it refuses to start without a token, since everyone on the
 * network could otherwise provision, read runs and change settings. Every request's Host is checked (DNS
 * rebinding), every WebSocket's Origin must be our own origin, and each message is bounded in size. With a token,
 * a WebSocket must authenticate first (station-auth.ts: the token, a single-use ticket from loginUrl(), or a session),
 * and an address that failed too often is refused at the upgrade with 429 and Retry-After. On a station with operators
 * each tab then signs in as one (session:sign-in) and every call it makes is checked by the core for that operator's
 * role (main/app/operator-session.ts); with a token the tab's station session carries its operator across a reconnect
 * (operator-sessions.ts), without one the operator ends with the connection; either way it ends at the idle lock.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { realpath } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { eventNames, isEventName } from '../contract/api';
import { createDispatch, encodeEvent } from '../contract/dispatch';
import { WS_CLOSE, WS_MAX_MESSAGE_BYTES, WS_PATH, type ServerMessage } from '../contract/ws-protocol';
import { FieldlineError } from '../errors';
import { silentLogger, type Logger } from '../log';
import type { FieldlineApp } from '../app';
import { cspForStaticDir } from './csp';
import { addressKey } from './auth-limiter';
import { acceptedHost, isLoopbackHost, sameOrigin, type HostPolicy } from './hosts';
import { createStationAuth, type StationAuthOptions } from './station-auth';
import { serveStatic } from './static-files';
import { createSessionTable } from './operator-sessions';
import { serveConnection, type Connection } from './ws-api';

export interface StationServerOptions {
  /**
   * With openSession (a real app), each connection gets an operator session of its own and its calls are checked
   * for that operator; without (stubs in tests and benchmarks), every connection shares `handlers`.
   */
  app: Pick<FieldlineApp, 'handlers' | 'events'> & Partial<Pick<FieldlineApp, 'openSession'>>;
  port?: number;
  host?: string;
  /** The built renderer (out/renderer). */
  staticDir: string;
  /** Required when `host` is not loopback. */
  token?: string;
  /** Ticket and session lifetimes, the guessing limits, a clock (tests). */
  auth?: Omit<StationAuthOptions, 'token'>;
  logger?: Logger;
}

export interface StationServer {
  /** http://host:port/ */
  url: string;
  /**
   * What a browser opens: `url`, plus `#ticket=…` when a token is set — a new single-use ticket on each call, good
   * for a minute (the fragment never reaches a server or its logs; the page takes it out of the address bar).
   */
  loginUrl(): string;
  port: number;
  close(): Promise<void>;
}

export const DEFAULT_PORT = 7300;
const HEARTBEAT_MS = 30_000;

const SECURITY_HEADERS = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
} as const;

function refuseUpgrade(socket: Duplex, status: number, reason: string, headers = ''): void {
  socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\n${headers}Content-Length: 0\r\n\r\n`);
}

export async function startStationServer(options: StationServerOptions): Promise<StationServer> {
  const host = options.host ?? '127.0.0.1';
  const loopback = isLoopbackHost(host);
  const token = options.token === '' ? undefined : options.token;
  if (!loopback && token === undefined) {
    throw new FieldlineError('INVALID_ARGUMENT', `a token is required to serve on ${host}, which other machines can reach (--token, or bind to 127.0.0.1)`);
  }
  const logger = options.logger ?? silentLogger;
  const auth = token === undefined ? undefined : createStationAuth({ ...options.auth, token });
  const root = await realpath(options.staticDir).catch(() => {
    throw new FieldlineError('FILE_NOT_FOUND', `${options.staticDir} (the built renderer: run \`npm run build\`)`);
  });
  const csp = cspForStaticDir(root);
  const dispatchOptions = {
    onBug: (channel: string, error: unknown) => logger.error(`${channel} failed`, { error: error instanceof Error ? (error.stack ?? error.message) : String(error) }),
  };
  const sessions = createSessionTable({
    ...(options.app.openSession ? { openSession: options.app.openSession } : {}),
    sharedDispatch: createDispatch(options.app.handlers, dispatchOptions),
    dispatchOptions,
  });
  const policy: HostPolicy = { port: 0, loopback };
  const connections = new Set<Connection>();
  const sockets = new Set<WebSocket>();

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const hostHeader = acceptedHost(req.headers.host, policy);
    if (!hostHeader) {
      res.writeHead(421, { 'content-type': 'text/plain; charset=utf-8', ...SECURITY_HEADERS });
      return void res.end('misdirected request: this server answers only to its own address\n');
    }
    if ((req.url ?? '').split('?')[0] === WS_PATH) {
      res.writeHead(426, { 'content-type': 'text/plain; charset=utf-8', upgrade: 'websocket', ...SECURITY_HEADERS });
      return void res.end('the API is a WebSocket\n');
    }
    serveStatic(req, res, { root, headers: () => ({ ...SECURITY_HEADERS, 'content-security-policy': csp(hostHeader) }) }).catch((err: unknown) => {
      logger.error('serving a file failed', { error: String(err) });
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload: WS_MAX_MESSAGE_BYTES, perMessageDeflate: false });
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const hostHeader = acceptedHost(req.headers.host, policy);
    if ((req.url ?? '').split('?')[0] !== WS_PATH) return refuseUpgrade(socket, 404, 'Not Found');
    if (!hostHeader) return refuseUpgrade(socket, 421, 'Misdirected Request');
    if (!sameOrigin(req.headers.origin, hostHeader)) {
      logger.warn('refused a WebSocket from another origin', { origin: req.headers.origin ?? '(none)' });
      return refuseUpgrade(socket, 403, 'Forbidden');
    }
    const address = addressKey(req.socket.remoteAddress);
    const wait = auth?.retryAfterMs(address) ?? 0;
    // Locked out for guessing: not even a socket to send the next guess on.
    if (wait > 0) return refuseUpgrade(socket, 429, 'Too Many Requests', `Retry-After: ${Math.ceil(wait / 1000)}\r\n`);
    wss.handleUpgrade(req, socket, head, (ws) => {
      const connection = serveConnection(ws, { attach: sessions.attach, logger, address, ...(auth ? { auth } : {}) });
      connections.add(connection);
      sockets.add(ws);
      let alive = true;
      ws.on('pong', () => (alive = true));
      const heartbeat = setInterval(() => {
        // A peer that vanished without a close (a laptop lid shut) is noticed here and its resources freed.
        if (!alive) return ws.terminate();
        alive = false;
        ws.ping();
      }, HEARTBEAT_MS);
      heartbeat.unref();
      ws.on('close', () => {
        clearInterval(heartbeat);
        connections.delete(connection);
        sockets.delete(ws);
      });
      ws.on('error', (err) => logger.debug('WebSocket error', { error: err.message }));
    });
  });

  // Every event is checked against the contract and encoded once, then sent to every connection.
  const unsubscribe = options.app.events.onAny((name, payload) => {
    if (!isEventName(name) || connections.size === 0) return;
    const message: ServerMessage = { type: 'event', name, payload: encodeEvent(name, payload) };
    const json = JSON.stringify(message);
    for (const connection of connections) connection.sendEvent(name, json);
  });

  await new Promise<void>((resolvePromise, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? DEFAULT_PORT, host, () => {
      server.off('error', reject);
      resolvePromise();
    });
  });
  const port = (server.address() as AddressInfo).port;
  policy.port = port;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  logger.info('station server listening', { url: `http://${urlHost}:${port}/`, events: eventNames.length });

  let closing: Promise<void> | undefined;
  const url = `http://${urlHost}:${port}/`;
  return {
    url,
    loginUrl: () => (auth ? `${url}#ticket=${auth.issueTicket().ticket}` : url),
    port,
    close: () =>
      (closing ??= (async () => {
        unsubscribe();
        sessions.close();
        for (const ws of sockets) ws.close(WS_CLOSE.shutdown, 'station stopping');
        wss.close();
        server.closeAllConnections();
        await new Promise<void>((resolveClose) => server.close(() => resolveClose()));
        for (const ws of sockets) ws.terminate();
      })()),
  };
}
