/** The renderer's web bridge against a scripted socket: auth first, calls queued until open, reconnects, and cut-off calls. */
import { describe, expect, it } from 'vitest';
import { createWebBridge, type SocketLike } from '../../renderer/src/bridge/web';

class FakeSocket implements SocketLike {
  readyState = 0;
  sent: unknown[] = [];
  onopen: ((event: unknown) => void) | null = null;
  onclose: ((event: { code: number; reason: string }) => void) | null = null;
  onmessage: ((event: { data: unknown }) => void) | null = null;
  onerror: ((event: unknown) => void) | null = null;
  send(data: string): void {
    this.sent.push(JSON.parse(data));
  }
  close(code = 1000): void {
    this.drop(code);
  }
  open(): void {
    this.readyState = 1;
    this.onopen?.({});
  }
  reply(message: unknown): void {
    this.onmessage?.({ data: JSON.stringify(message) });
  }
  drop(code = 1006): void {
    this.readyState = 3;
    this.onclose?.({ code, reason: '' });
  }
}

const tick = (ms = 0): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('the web bridge', () => {
  it('authenticates first, holds calls until then, and passes event payloads only', async () => {
    const sockets: FakeSocket[] = [];
    const bridge = createWebBridge({ url: 'ws://x/api', token: 'T', openSocket: () => (sockets.push(new FakeSocket()), sockets.at(-1)!) });
    const version = bridge.api.invoke['app:version']();
    const socket = sockets[0]!;
    socket.open();
    expect(socket.sent).toEqual([{ type: 'auth', token: 'T' }]);
    socket.reply({ type: 'auth', ok: true });
    expect(bridge.state).toBe('open');
    expect(socket.sent[1]).toEqual({ type: 'call', id: 1, method: 'app:version', args: [] });
    socket.reply({ type: 'result', id: 1, result: { ok: true, value: { name: 'Fieldline', version: '1' } } });
    expect(await version).toEqual({ ok: true, value: { name: 'Fieldline', version: '1' } });

    const seen: unknown[] = [];
    bridge.api.on['device:detached']((p) => seen.push(p));
    socket.reply({ type: 'event', name: 'device:detached', payload: { id: 'serial:/dev/ttyACM0' } });
    socket.reply({ type: 'nonsense' });
    expect(seen).toEqual([{ id: 'serial:/dev/ttyACM0' }]);
    bridge.close();
  });

  it('swaps a single-use ticket for the session the station answers, and reconnects with that', async () => {
    const sockets: FakeSocket[] = [];
    const sessions: string[] = [];
    const bridge = createWebBridge({
      url: 'ws://x/api',
      ticket: 'once',
      onSession: (s) => sessions.push(s),
      retryMs: { first: 1, max: 1 },
      openSocket: () => (sockets.push(new FakeSocket()), sockets.at(-1)!),
    });
    sockets[0]!.open();
    expect(sockets[0]!.sent).toEqual([{ type: 'auth', ticket: 'once' }]);
    sockets[0]!.reply({ type: 'auth', ok: true, session: 'S1' });
    expect(sessions).toEqual(['S1']);
    sockets[0]!.drop();
    await tick(5);
    sockets[1]!.open();
    expect(sockets[1]!.sent).toEqual([{ type: 'auth', session: 'S1' }]);
    sockets[1]!.reply({ type: 'auth', ok: true, session: 'S1' });
    expect(sessions).toEqual(['S1']);
    expect(bridge.state).toBe('open');
    bridge.close();
  });

  it('tries again later when the station refuses a locked-out address unchecked', async () => {
    const sockets: FakeSocket[] = [];
    const bridge = createWebBridge({ url: 'ws://x/api', token: 'T', retryMs: { first: 1, max: 1 }, openSocket: () => (sockets.push(new FakeSocket()), sockets.at(-1)!) });
    sockets[0]!.open();
    sockets[0]!.reply({ type: 'auth', ok: false, retryAfterMs: 1000 });
    sockets[0]!.drop(4429);
    expect(bridge.state).toBe('closed');
    await tick(5);
    expect(sockets).toHaveLength(2);
    bridge.close();
  });

  it('leaves out a trailing undefined argument (JSON would make it null)', async () => {
    const socket = new FakeSocket();
    const bridge = createWebBridge({ url: 'ws://x/api', openSocket: () => socket });
    socket.open();
    void bridge.api.invoke['runs:list'](undefined);
    expect(socket.sent).toEqual([{ type: 'call', id: 1, method: 'runs:list', args: [] }]);
    bridge.close();
  });

  it('answers calls cut off by a disconnect with STATION_UNREACHABLE and reconnects', async () => {
    const sockets: FakeSocket[] = [];
    const states: string[] = [];
    const bridge = createWebBridge({ url: 'ws://x/api', retryMs: { first: 5, max: 10 }, openSocket: () => (sockets.push(new FakeSocket()), sockets.at(-1)!) });
    bridge.onState((s) => states.push(s));
    sockets[0]!.open();
    const cut = bridge.api.invoke['queue:status']();
    sockets[0]!.drop();
    expect(await cut).toMatchObject({ ok: false, error: { code: 'STATION_UNREACHABLE' } });
    await tick(20);
    expect(sockets).toHaveLength(2);
    const later = bridge.api.invoke['queue:status']();
    sockets[1]!.open();
    sockets[1]!.reply({ type: 'result', id: 2, result: { ok: false, error: { code: 'REGISTRY_NOT_CONFIGURED', message: 'x' } } });
    expect(await later).toMatchObject({ ok: false, error: { code: 'REGISTRY_NOT_CONFIGURED' } });
    expect(states).toEqual(['open', 'closed', 'connecting', 'open']);
    bridge.close();
  });

  it('stops trying when the station refuses the token', async () => {
    const sockets: FakeSocket[] = [];
    const bridge = createWebBridge({ url: 'ws://x/api', token: 'bad', retryMs: { first: 5, max: 10 }, openSocket: () => (sockets.push(new FakeSocket()), sockets.at(-1)!) });
    sockets[0]!.open();
    sockets[0]!.drop(4401);
    await tick(20);
    expect(sockets).toHaveLength(1);
    expect(bridge.state).toBe('unauthorized');
    expect(await bridge.api.invoke['app:version']()).toMatchObject({ ok: false, error: { code: 'STATION_UNREACHABLE' } });
  });
});
