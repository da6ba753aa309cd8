import type { IpcMainInvokeEvent } from 'electron';
import { describe, expect, it } from 'vitest';
import { methodNames } from '../contract/api';
import { stubHandlers } from '../testing/handlers';
import { sendEvent, serveContract } from './ipc';

type Listener = (event: IpcMainInvokeEvent, ...args: unknown[]) => unknown;

function fakeIpcMain() {
  const handlers = new Map<string, Listener>();
  return {
    handlers,
    handle: (channel: string, listener: Listener) => {
      handlers.set(channel, listener);
    },
    removeHandler: (channel: string) => {
      handlers.delete(channel);
    },
  };
}

const handlers = stubHandlers({
  'app:version': () => ({ name: 'fieldline', version: '0.1.0' }),
  'ports:list': () => [],
});

const ours = { id: 'ours' } as unknown as IpcMainInvokeEvent;
const foreign = { id: 'foreign' } as unknown as IpcMainInvokeEvent;

describe('serveContract', () => {
  it('registers exactly the contract methods and removes them again', () => {
    const ipcMain = fakeIpcMain();
    const stop = serveContract({ ipcMain, handlers, isTrustedSender: () => true });
    expect([...ipcMain.handlers.keys()].sort()).toEqual([...methodNames].sort());
    stop();
    expect(ipcMain.handlers.size).toBe(0);
  });

  it('answers our window with a Result and refuses any other sender', async () => {
    const ipcMain = fakeIpcMain();
    const rejected: string[] = [];
    serveContract({
      ipcMain,
      handlers,
      isTrustedSender: (event) => event === ours,
      onRejected: (channel) => rejected.push(channel),
    });
    const version = ipcMain.handlers.get('app:version');
    expect(await version?.(ours)).toEqual({ ok: true, value: { name: 'fieldline', version: '0.1.0' } });
    expect(await version?.(ours, 'extra')).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT' } });
    expect(() => version?.(foreign)).toThrow(/refused/);
    expect(rejected).toEqual(['app:version']);
  });

  it("answers each window with its own session's handlers, and refuses a window without one", async () => {
    const ipcMain = fakeIpcMain();
    const own = (version: string) => stubHandlers({ 'app:version': () => ({ name: 'fieldline', version }) });
    const sessions = new Map<number, ReturnType<typeof own>>([
      [1, own('window-1')],
      [2, own('window-2')],
    ]);
    serveContract({ ipcMain, handlers: (sender) => sessions.get(sender.id), isTrustedSender: () => true });
    const from = (id: number) => ({ sender: { id } }) as unknown as IpcMainInvokeEvent;
    const version = ipcMain.handlers.get('app:version');
    expect(await version?.(from(1))).toEqual({ ok: true, value: { name: 'fieldline', version: 'window-1' } });
    expect(await version?.(from(2))).toEqual({ ok: true, value: { name: 'fieldline', version: 'window-2' } });
    expect(() => version?.(from(3))).toThrow(/refused/);
  });
});

describe('sendEvent', () => {
  it('sends a checked payload on the event channel, and nothing to a destroyed window', () => {
    const sent: unknown[][] = [];
    const contents = { send: (...args: unknown[]) => void sent.push(args), isDestroyed: () => false };
    sendEvent(contents, 'log', { level: 'info', scope: 'electron', message: 'ready' });
    sendEvent({ ...contents, isDestroyed: () => true }, 'log', { level: 'info', scope: 'electron', message: 'gone' });
    expect(sent).toEqual([['event:log', { level: 'info', scope: 'electron', message: 'ready' }]]);
  });
});
