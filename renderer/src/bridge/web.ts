/**
 * The renderer's web bridge: the same FieldlineApi as Electron's preload, over the station server's WebSocket
 * (main/contract/ws-protocol.ts), built with the contract's createClient. It reconnects by itself; calls made while
 * disconnected wait for the connection, and calls cut off by a disconnect answer STATION_UNREACHABLE.
 * A station with a token answers the first good credential (token or single-use ticket) with a session, which the
 * bridge then reconnects with: a ticket works only once, and the token need not be kept.
 * No DOM types here, only a minimal socket shape, so the same file is tested in Node with the `ws` package.
 */
import type { FieldlineApi, Unsubscribe } from '../../../main/contract/api';
import { createClient } from '../../../main/contract/client';
import { fail } from '../../../main/contract/result';
import { ServerMessageSchema, WS_CLOSE } from '../../../main/contract/ws-protocol';

/** What the bridge needs of a WebSocket (the browser's, or `ws` in tests). */
export interface SocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((event: unknown) => void) | null;
  onclose: ((event: { code: number; reason: string }) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onerror: ((event: unknown) => void) | null;
}

export type ConnectionState = 'connecting' | 'open' | 'closed' | 'unauthorized';

export interface WebBridgeOptions {
  /** ws://host:port/api */
  url: string;
  openSocket: (url: string) => SocketLike;
  /** Sent first when the station requires one: the station token, a login ticket, or an earlier session. */
  token?: string;
  ticket?: string;
  session?: string;
  /** Told the session the station answered, to keep for a reload of this page. */
  onSession?: (session: string) => void;
  /** First and longest delay between reconnection attempts (default 500 ms and 10 s). */
  retryMs?: { first: number; max: number };
}

export interface WebBridge {
  readonly api: FieldlineApi;
  readonly state: ConnectionState;
  /** Told on every change: the UI re-reads what it shows after a reconnect (events may have been missed). */
  onState(listener: (state: ConnectionState) => void): Unsubscribe;
  close(): void;
}

const OPEN = 1;

export function createWebBridge(options: WebBridgeOptions): WebBridge {
  const retry = options.retryMs ?? { first: 500, max: 10_000 };
  const pending = new Map<number, (result: unknown) => void>();
  const outbox: string[] = [];
  const listeners = new Map<string, Set<(payload: unknown) => void>>();
  const stateListeners = new Set<(state: ConnectionState) => void>();
  let state: ConnectionState = 'connecting';
  let socket: SocketLike | undefined;
  let ready = false;
  let nextId = 1;
  let delay = retry.first;
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  // The first of these given is sent; after a good one, the station's session replaces it.
  let credential: { token: string } | { ticket: string } | { session: string } | undefined;
  if (options.session !== undefined) credential = { session: options.session };
  else if (options.ticket !== undefined) credential = { ticket: options.ticket };
  else if (options.token !== undefined) credential = { token: options.token };

  const setState = (next: ConnectionState): void => {
    if (state === next) return;
    state = next;
    for (const listener of [...stateListeners]) listener(next);
  };

  const flush = (): void => {
    while (ready && socket?.readyState === OPEN && outbox.length > 0) socket.send(outbox.shift() as string);
  };

  const becomeReady = (): void => {
    ready = true;
    delay = retry.first;
    setState('open');
    flush();
  };

  const onMessage = (data: unknown): void => {
    if (typeof data !== 'string') return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(data);
    } catch {
      return;
    }
    const message = ServerMessageSchema.safeParse(parsed);
    if (!message.success) return;
    const msg = message.data;
    if (msg.type === 'auth') {
      if (msg.ok && msg.session !== undefined && credential !== undefined && !('session' in credential && credential.session === msg.session)) {
        credential = { session: msg.session };
        options.onSession?.(msg.session);
      }
      if (msg.ok) becomeReady();
      return;
    }
    if (msg.type === 'result') {
      const resolve = pending.get(msg.id);
      pending.delete(msg.id);
      resolve?.(msg.result);
      return;
    }
    for (const listener of [...(listeners.get(`event:${msg.name}`) ?? [])]) listener(msg.payload);
  };

  const connect = (): void => {
    if (stopped) return;
    setState('connecting');
    const ws = options.openSocket(options.url);
    socket = ws;
    ws.onopen = () => {
      if (credential !== undefined) ws.send(JSON.stringify({ type: 'auth', ...credential }));
      else becomeReady();
    };
    ws.onmessage = (event) => onMessage(event.data);
    ws.onerror = () => {
      // A close event follows every error; reconnection is decided there.
    };
    ws.onclose = (event) => {
      if (socket !== ws) return;
      socket = undefined;
      ready = false;
      // Calls sent on this connection will never be answered, and calls still waiting to be sent have just been
      // told they failed: drop them too, or a click answered "unreachable" would still run after a reconnect.
      for (const resolve of pending.values()) resolve(fail('STATION_UNREACHABLE'));
      pending.clear();
      outbox.length = 0;
      if (event.code === WS_CLOSE.unauthorized) {
        stopped = true;
        return setState('unauthorized');
      }
      setState('closed');
      if (stopped) return;
      timer = setTimeout(connect, delay);
      delay = Math.min(delay * 2, retry.max);
    };
  };

  const api = createClient({
    invoke: (channel, args) =>
      new Promise((resolve) => {
        if (stopped && state === 'unauthorized') return resolve(fail('STATION_UNREACHABLE', 'the station refused this page’s token'));
        const id = nextId++;
        // JSON turns a trailing undefined into null, which an optional argument's schema refuses: leave it out.
        const trimmed = [...args];
        while (trimmed.length > 0 && trimmed[trimmed.length - 1] === undefined) trimmed.pop();
        pending.set(id, resolve);
        outbox.push(JSON.stringify({ type: 'call', id, method: channel, args: trimmed }));
        flush();
      }),
    subscribe: (channel, listener) => {
      let set = listeners.get(channel);
      if (!set) listeners.set(channel, (set = new Set()));
      set.add(listener);
      return () => {
        set.delete(listener);
      };
    },
  });

  connect();

  return {
    api,
    get state() {
      return state;
    },
    onState(listener) {
      stateListeners.add(listener);
      return () => {
        stateListeners.delete(listener);
      };
    },
    close() {
      stopped = true;
      clearTimeout(timer);
      socket?.close(1000, 'page closed');
    },
  };
}
