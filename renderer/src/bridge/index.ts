/**
 * The renderer's one way to the Node side. In Electron the preload has put `window.fieldline` there (IPC); in a
 * browser (station web mode) there is none, and the web bridge builds the same API over the station's WebSocket.
 * The rest of the renderer imports `api` from here and cannot tell which it got.
 */
import type { FieldlineApi, Unsubscribe } from '../../../main/contract/api';
import { WS_PATH } from '../../../main/contract/ws-protocol';
import { createWebBridge, type ConnectionState, type SocketLike } from './web';

export type { ConnectionState } from './web';

const SESSION_KEY = 'fieldline.session';
/** Where versions before sessions kept the station token itself: removed when found. */
const LEGACY_TOKEN_KEY = 'fieldline.token';

type Credential = { ticket: string } | { token: string } | { session: string };

/**
 * How this page authenticates to a station with a token: the single-use `#ticket=…` of the URL `fieldline station`
 * printed, or a `#token=…` an operator typed; else the session this tab was given before (a reload). The fragment is
 * taken out of the address bar at once, so it is not bookmarked, kept in history or seen over a shoulder; only the
 * session is kept, for this tab.
 */
function stationCredential(): Credential | undefined {
  window.sessionStorage.removeItem(LEGACY_TOKEN_KEY);
  const ticket = /(?:^#|&)ticket=([^&]+)/.exec(window.location.hash)?.[1];
  const token = /(?:^#|&)token=([^&]+)/.exec(window.location.hash)?.[1];
  if (ticket !== undefined || token !== undefined) window.history.replaceState(null, '', window.location.pathname + window.location.search);
  if (ticket) return { ticket: decodeURIComponent(ticket) };
  if (token) return { token: decodeURIComponent(token) };
  const session = window.sessionStorage.getItem(SESSION_KEY);
  return session ? { session } : undefined;
}

function connectToStation(): { api: FieldlineApi; state: () => ConnectionState; onState: (l: (s: ConnectionState) => void) => Unsubscribe } {
  const credential = stationCredential();
  const bridge = createWebBridge({
    url: `${window.location.protocol === 'https:' ? 'wss:' : 'ws:'}//${window.location.host}${WS_PATH}`,
    // The browser's WebSocket has the shape the bridge needs (its event types are wider than SocketLike's).
    openSocket: (url) => new WebSocket(url) as unknown as SocketLike,
    ...credential,
    onSession: (session) => window.sessionStorage.setItem(SESSION_KEY, session),
  });
  window.addEventListener('pagehide', () => bridge.close());
  return { api: bridge.api, state: () => bridge.state, onState: (listener) => bridge.onState(listener) };
}

const electron = window.fieldline;
const connection = electron ? undefined : connectToStation();

export const api: FieldlineApi = electron ?? (connection as NonNullable<typeof connection>).api;

/** 'open' always in Electron; the WebSocket's state in a browser. */
export function connectionState(): ConnectionState {
  return connection ? connection.state() : 'open';
}

export function onConnectionState(listener: (state: ConnectionState) => void): Unsubscribe {
  return connection ? connection.onState(listener) : () => {};
}
