/**
 * Serves the contract over ipcMain: one handler per contract method (an unknown channel is never registered),
 * each call checked for its sender, its arguments parsed with the method's schema, the answer a Result.
 * Only types come from electron here, so this file runs in plain Node tests.
 */
import type { IpcMain, IpcMainInvokeEvent, WebContents } from 'electron';
import { eventChannel, methodNames, type EventName, type EventPayload } from '../contract/api';
import { createDispatch, encodeEvent, type MethodHandlers } from '../contract/dispatch';

export interface IpcServerOptions {
  readonly ipcMain: Pick<IpcMain, 'handle' | 'removeHandler'>;
  readonly handlers: MethodHandlers;
  readonly isTrustedSender: (event: IpcMainInvokeEvent) => boolean;
  /** A call from a sender that is not our window: it gets no answer but an error. */
  readonly onRejected?: (channel: string, event: IpcMainInvokeEvent) => void;
  /** A handler threw something that is not an expected failure. */
  readonly onBug?: (channel: string, error: unknown) => void;
}

/** Registers the contract's handlers; returns a function that removes them. */
export function serveContract(options: IpcServerOptions): () => void {
  const dispatch = createDispatch(options.handlers, options.onBug ? { onBug: options.onBug } : {});
  for (const channel of methodNames) {
    options.ipcMain.handle(channel, (event, ...args: unknown[]) => {
      if (!options.isTrustedSender(event)) {
        options.onRejected?.(channel, event);
        throw new Error('IPC refused: unknown sender');
      }
      return dispatch(channel, args);
    });
  }
  return () => {
    for (const channel of methodNames) options.ipcMain.removeHandler(channel);
  };
}

export function sendEvent<E extends EventName>(
  contents: Pick<WebContents, 'send' | 'isDestroyed'>,
  name: E,
  payload: EventPayload<E>,
): void {
  if (!contents.isDestroyed()) contents.send(eventChannel(name), encodeEvent(name, payload));
}
