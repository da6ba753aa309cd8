/**
 * Serves the contract over ipcMain: one handler per contract method (an unknown channel is never registered),
 * each call checked for its sender, its arguments parsed with the method's schema, the answer a Result.
 * Only types come from electron here, so this file runs in plain Node tests.
 */
import type { IpcMain, IpcMainInvokeEvent, WebContents } from 'electron';
import { eventChannel, methodNames, type EventName, type EventPayload } from '../contract/api';
import { createDispatch, encodeEvent, type Dispatch, type MethodHandlers } from '../contract/dispatch';

export interface IpcServerOptions {
  readonly ipcMain: Pick<IpcMain, 'handle' | 'removeHandler'>;
  /**
   * The handlers of the sender's own operator session (each window signs in on its own), or one set for every
   * sender. A sender without a session is refused like an unknown one.
   */
  readonly handlers: MethodHandlers | ((sender: IpcMainInvokeEvent['sender']) => MethodHandlers | undefined);
  readonly isTrustedSender: (event: IpcMainInvokeEvent) => boolean;
  /** A call from a sender that is not our window: it gets no answer but an error. */
  readonly onRejected?: (channel: string, event: IpcMainInvokeEvent) => void;
  /** A handler threw something that is not an expected failure. */
  readonly onBug?: (channel: string, error: unknown) => void;
}

/** Registers the contract's handlers; returns a function that removes them. */
export function serveContract(options: IpcServerOptions): () => void {
  const dispatchOptions = options.onBug ? { onBug: options.onBug } : {};
  // One dispatch per session's handlers, made on its first call and let go with them.
  const dispatches = new WeakMap<MethodHandlers, Dispatch>();
  const dispatchOf = (handlers: MethodHandlers): Dispatch => {
    let dispatch = dispatches.get(handlers);
    if (!dispatch) dispatches.set(handlers, (dispatch = createDispatch(handlers, dispatchOptions)));
    return dispatch;
  };
  const { handlers } = options;
  for (const channel of methodNames) {
    options.ipcMain.handle(channel, (event, ...args: unknown[]) => {
      const own = options.isTrustedSender(event) ? (typeof handlers === 'function' ? handlers(event.sender) : handlers) : undefined;
      if (!own) {
        options.onRejected?.(channel, event);
        throw new Error('IPC refused: unknown sender');
      }
      return dispatchOf(own)(channel, args);
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
