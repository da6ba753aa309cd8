/**
 * The renderer's one way to the Node side. In Electron the preload has put `window.fieldline` there (IPC); in a
 * browser (station web mode) there is none, and the web bridge builds the same API over the station's WebSocket.
 * The rest of the renderer imports `api` from here and cannot tell which it got.
 */
import type { FieldlineApi, Unsubscribe } from '../../../main/contract/api';
import { WS_PATH } from '../../../main/contract/ws-protocol';
import { createWebBridge, type ConnectionState, type SocketLike } from './web';

export type { ConnectionState } from './web';

const TOKEN_KEY = 'fieldline.token';

/**
 * The station token, when the page was opened with `#token=…` (what `fieldline station` prints when one is set).
 * Kept for this tab only and taken out of the address bar, so it is not bookmarked or seen over a shoulder.
 */
function stationToken(): string | undefined {
  const match = /(?:^#|&)token=([^&]+)/.exec(window.location.hash);
  if (match?.[1]) {
    const token = decodeURIComponent(match[1]);
    window.sessionStorage.setItem(TOKEN_KEY, token);
    window.history.replaceState(null, '', window.location.pathname + window.location.search);
    return token;
  }
  return window.sessionStorage.getItem(TOKEN_KEY) ?? undefined;
}

function connectToStation(): { api: FieldlineApi; state: () => ConnectionState; onState: (l: (s: ConnectionState) => void) => Unsubscribe } {
  const token = stationToken();
  const bridge = createWebBridge({
    url: `${window.location.protocol === 'https:' ? 'wss:' : 'ws:'}//${window.location.host}${WS_PATH}`,
    // The browser's WebSocket has the shape the bridge needs (its event types are wider than SocketLike's).
    openSocket: (url) => new WebSocket(url) as unknown as SocketLike,
    ...(token !== undefined ? { token } : {}),
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
