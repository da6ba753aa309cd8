/**
 * The contract over one WebSocket connection: calls parsed with the wire schema and dispatched (the method's own
 * schema checks the arguments), answers and events sent back as JSON. The peer is untrusted: a message that is not
 * JSON or not a known message closes the connection; unknown methods are answered INVALID_ARGUMENT; at most
 * WS_MAX_IN_FLIGHT calls run at once per connection; a client that stops reading events is dropped rather than
 * buffered without end (progress and log lines, which the next ones replace, are skipped first).
 */
import type { WebSocket } from 'ws';
import type { EventName } from '../contract/api';
import { encodeEvent } from '../contract/dispatch';
import { fail } from '../contract/result';
import { ClientMessageSchema, WS_CLOSE, WS_MAX_IN_FLIGHT, type ServerMessage } from '../contract/ws-protocol';
import type { Logger } from '../log';
import { nestsDeeperThan } from './json-depth';
import type { AttachSession, SessionAttachment } from './operator-sessions';
import type { Credential, StationAuth } from './station-auth';

/** Above this many unsent bytes, skippable events are skipped; above the hard limit the client is dropped. */
const SOFT_BUFFER_BYTES = 1024 * 1024;
const HARD_BUFFER_BYTES = 16 * 1024 * 1024;
// device:rssi only refreshes a signal-strength figure; the next one replaces it.
const SKIPPABLE: ReadonlySet<EventName> = new Set<EventName>(['run:progress', 'run:log', 'log', 'device:rssi']);
const AUTH_TIMEOUT_MS = 10_000;
/** No contract message nests deeper than a few levels; a message that does is refused before it is parsed. */
const MAX_MESSAGE_DEPTH = 32;

export interface Connection {
  /** Sends an already encoded event (encoded once for all connections). */
  sendEvent(name: EventName, json: string): void;
  readonly authenticated: boolean;
}

export interface ConnectionOptions {
  /**
   * Where this connection's calls go, checked for its operator session's operator: asked once the connection is
   * authenticated, with the station session it authenticated as (undefined on a station without a token).
   */
  attach: AttachSession;
  /** When set, the first message must be `auth` with a credential it accepts (station-auth.ts). */
  auth?: StationAuth;
  /** The peer's address as the limiter counts it (auth-limiter.ts addressKey). */
  address: string;
  logger: Logger;
}

/** The one credential of an auth message, or undefined when it has none or several. */
function credentialOf(msg: { token?: string | undefined; ticket?: string | undefined; session?: string | undefined }): Credential | undefined {
  const given: Credential[] = [];
  if (msg.token !== undefined) given.push({ kind: 'token', secret: msg.token });
  if (msg.ticket !== undefined) given.push({ kind: 'ticket', secret: msg.ticket });
  if (msg.session !== undefined) given.push({ kind: 'session', secret: msg.session });
  return given.length === 1 ? given[0] : undefined;
}

export function serveConnection(ws: WebSocket, options: ConnectionOptions): Connection {
  const { logger } = options;
  let authenticated = options.auth === undefined;
  let attached: SessionAttachment | undefined;
  let offSession: (() => void) | undefined;
  let inFlight = 0;
  const authTimer = authenticated ? undefined : setTimeout(() => ws.close(WS_CLOSE.unauthorized, 'authentication required'), AUTH_TIMEOUT_MS);

  const send = (message: ServerMessage): void => {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(message));
  };
  const attach = (stationSession: string | undefined): void => {
    attached = options.attach(stationSession);
    // session:changed is this session's own (its sign-in, sign-out, idle lock), sent to its connections alone.
    offSession = attached.session?.onChange((state) => send({ type: 'event', name: 'session:changed', payload: encodeEvent('session:changed', state) }));
  };
  if (authenticated) attach(undefined);

  ws.on('message', (data, isBinary) => {
    if (isBinary) return ws.close(WS_CLOSE.protocol, 'text messages only');
    const text = data.toString();
    if (nestsDeeperThan(text, MAX_MESSAGE_DEPTH)) return ws.close(WS_CLOSE.protocol, 'nested too deeply');
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      return ws.close(WS_CLOSE.protocol, 'not JSON');
    }
    const message = ClientMessageSchema.safeParse(parsed);
    if (!message.success) return ws.close(WS_CLOSE.protocol, 'not a Fieldline message');
    const msg = message.data;

    if (msg.type === 'auth') {
      if (options.auth === undefined || authenticated) return send({ type: 'auth', ok: true });
      const credential = credentialOf(msg);
      if (!credential) return ws.close(WS_CLOSE.protocol, 'one credential: token, ticket or session');
      const outcome = options.auth.authenticate(credential, options.address);
      if (!outcome.ok && outcome.reason === 'limited') {
        send({ type: 'auth', ok: false, retryAfterMs: outcome.retryAfterMs });
        return ws.close(WS_CLOSE.tooManyAttempts, 'too many failed attempts');
      }
      if (!outcome.ok) {
        logger.warn(`refused a connection with a wrong ${credential.kind}`, { address: options.address });
        send({ type: 'auth', ok: false });
        return ws.close(WS_CLOSE.unauthorized, `wrong ${credential.kind}`);
      }
      authenticated = true;
      clearTimeout(authTimer);
      attach(outcome.session);
      return send({ type: 'auth', ok: true, session: outcome.session });
    }

    if (!authenticated || !attached) return ws.close(WS_CLOSE.unauthorized, 'authentication required');
    const { dispatch } = attached;
    if (inFlight >= WS_MAX_IN_FLIGHT) {
      return send({ type: 'result', id: msg.id, result: fail('INVALID_ARGUMENT', `more than ${WS_MAX_IN_FLIGHT} calls in flight`) });
    }
    inFlight += 1;
    void dispatch(msg.method, msg.args)
      .then((result) => send({ type: 'result', id: msg.id, result }))
      .finally(() => {
        inFlight -= 1;
      });
  });
  ws.on('close', () => {
    clearTimeout(authTimer);
    offSession?.();
    attached?.release();
  });

  return {
    get authenticated() {
      return authenticated;
    },
    sendEvent(name, json) {
      if (!authenticated || ws.readyState !== ws.OPEN) return;
      if (attached?.session && !attached.session.mayListen()) return;
      if (ws.bufferedAmount > HARD_BUFFER_BYTES) {
        logger.warn('dropping a client that does not keep up with events');
        ws.close(WS_CLOSE.tooSlow, 'too slow');
        return;
      }
      if (ws.bufferedAmount > SOFT_BUFFER_BYTES && SKIPPABLE.has(name)) return;
      ws.send(json);
    },
  };
}
