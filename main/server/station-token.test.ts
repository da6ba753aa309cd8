/**
 * The station token on the wire (issue #11): the URL the station prints carries a single-use, short-lived ticket,
 * never the token; a ticket or the token is exchanged for a session the page reconnects with; and a peer that keeps
 * guessing is refused without being checked, while the right token from another address gets in at once. The
 * server's clock is a test clock, so lockouts are measured without waiting for them.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { createWebBridge, type SocketLike, type WebBridge, type WebBridgeOptions } from '../../renderer/src/bridge/web';
import { createAppEvents } from '../core/events';
import { stubHandlers } from '../testing/handlers';
import { startStationServer, type StationServer } from './station-server';

const TOKEN = 'T0ken-for-the-line-0123456789abcdef';
let staticDir: string;
let server: StationServer;
let t = 1_000_000;
const bridges: WebBridge[] = [];

beforeAll(async () => {
  staticDir = await mkdtemp(join(tmpdir(), 'fieldline-static-'));
  await writeFile(join(staticDir, 'index.html'), '<!doctype html><title>Fieldline</title>');
  const app = { handlers: stubHandlers({ 'app:version': () => ({ name: 'Fieldline', version: '0.0.0-test' }) }), events: createAppEvents() };
  server = await startStationServer({ app, port: 0, host: '127.0.0.1', staticDir, token: TOKEN, auth: { now: () => t } });
});
afterEach(() => {
  for (const b of bridges.splice(0)) b.close();
});
afterAll(async () => {
  await server?.close();
  if (staticDir) await rm(staticDir, { recursive: true, force: true });
});

const origin = (): string => `http://127.0.0.1:${server.port}`;
const wsUrl = (): string => `ws://127.0.0.1:${server.port}/api`;

function bridge(credential: Pick<WebBridgeOptions, 'token' | 'ticket' | 'session' | 'onSession'>, localAddress = '127.0.0.1'): WebBridge {
  const b = createWebBridge({
    url: wsUrl(),
    openSocket: (u) => new WebSocket(u, { origin: origin(), localAddress }) as unknown as SocketLike,
    retryMs: { first: 20, max: 50 },
    ...credential,
  });
  bridges.push(b);
  return b;
}

/** One authentication attempt on a raw socket: the upgrade's refusal, or how the server answered and closed. */
function attempt(auth: Record<string, string>, localAddress = '127.0.0.1'): Promise<{ status?: number; retryAfter?: string; close?: number }> {
  return new Promise((resolve) => {
    const ws = new WebSocket(wsUrl(), { origin: origin(), localAddress });
    ws.on('unexpected-response', (_req, res) => {
      resolve({ status: res.statusCode ?? 0, retryAfter: String(res.headers['retry-after']) });
      ws.terminate();
    });
    ws.on('open', () => ws.send(JSON.stringify({ type: 'auth', ...auth })));
    ws.on('close', (code) => resolve({ close: code }));
    ws.on('error', () => {});
  });
}

describe('the login URL', () => {
  it('carries a ticket, not the token, that opens one session once and is dead after a minute', async () => {
    const login = server.loginUrl();
    expect(login).toMatch(new RegExp(`^${origin()}/#ticket=[A-Za-z0-9_-]{43}$`));
    expect(login).not.toContain(TOKEN);
    const ticket = new URL(login).hash.slice('#ticket='.length);

    const sessions: string[] = [];
    const page = bridge({ ticket, onSession: (s) => sessions.push(s) });
    expect(await page.api.invoke['app:version']()).toMatchObject({ ok: true });
    expect(sessions).toHaveLength(1);
    expect(sessions[0]).not.toBe(ticket);

    // Used: the same URL opened again (another tab, someone who read it off the screen) gets nowhere.
    const again = bridge({ ticket });
    expect(await again.api.invoke['app:version']()).toMatchObject({ ok: false, error: { code: 'STATION_UNREACHABLE' } });
    expect(again.state).toBe('unauthorized');

    // The session is what the page reconnects with (a reload, a dropped connection).
    const reload = bridge({ session: sessions[0]! });
    expect(await reload.api.invoke['app:version']()).toMatchObject({ ok: true });

    const unused = new URL(server.loginUrl()).hash.slice('#ticket='.length);
    t += 60_000;
    expect(await attempt({ ticket: unused }, '127.0.0.3')).toEqual({ close: 4401 });
  });

  it('takes the long-lived token typed by an operator, and swaps it for a session at once', async () => {
    const sessions: string[] = [];
    const page = bridge({ token: TOKEN, onSession: (s) => sessions.push(s) });
    expect(await page.api.invoke['app:version']()).toMatchObject({ ok: true });
    expect(sessions).toHaveLength(1);
    expect(sessions[0]).not.toBe(TOKEN);
  });

  it('refuses an auth message with no credential, or with two', async () => {
    expect(await attempt({}, '127.0.0.4')).toEqual({ close: 1008 });
    expect(await attempt({ token: TOKEN, ticket: 'x' }, '127.0.0.4')).toEqual({ close: 1008 });
  });
});

describe('token guessing', () => {
  it('checks 5 wrong tokens from one address, refuses the next 195 unchecked, and lets the right token in from another', async () => {
    const guesser = '127.0.0.66';
    const answers = [];
    for (let i = 0; i < 200; i += 1) answers.push(await attempt({ token: `guess-${i}` }, guesser));
    const checked = answers.filter((a) => a.close === 4401).length;
    const refused = answers.filter((a) => a.status === 429 || a.close === 4429).length;
    expect({ checked, refused }).toEqual({ checked: 5, refused: 195 });
    expect(answers.at(-1)).toEqual({ status: 429, retryAfter: '1' });

    // The line's own browser, elsewhere, is not held back by the guesser.
    const line = bridge({ token: TOKEN }, '127.0.0.7');
    expect(await line.api.invoke['app:version']()).toMatchObject({ ok: true });
    // The guesser's own address is not even checked while locked out, right token or not.
    expect(await attempt({ token: TOKEN }, guesser)).toEqual({ status: 429, retryAfter: '1' });

    // After the lockout one more guess is checked, and the next lockout is twice as long.
    t += 1000;
    expect(await attempt({ token: 'guess-again' }, guesser)).toEqual({ close: 4401 });
    expect(await attempt({ token: 'guess-again' }, guesser)).toEqual({ status: 429, retryAfter: '2' });
  });

  it('counts guesses sent on sockets opened before the lockout began', async () => {
    const guesser = '127.0.0.77';
    const sockets = await Promise.all(
      Array.from({ length: 20 }, () => new Promise<WebSocket>((resolve) => {
        const ws = new WebSocket(wsUrl(), { origin: origin(), localAddress: guesser });
        ws.on('open', () => resolve(ws));
      })),
    );
    const closes = await Promise.all(
      sockets.map((ws, i) => new Promise<number>((resolve) => {
        ws.on('close', (code) => resolve(code));
        ws.send(JSON.stringify({ type: 'auth', token: `parallel-${i}` }));
      })),
    );
    expect(closes.filter((c) => c === 4401)).toHaveLength(5);
    expect(closes.filter((c) => c === 4429)).toHaveLength(15);
  });
});
