/**
 * Builds the caller side of the contract (`window.fieldline`) over any transport: Electron's ipcRenderer in the
 * preload, a WebSocket in station web mode. The renderer cannot tell which.
 */
import { eventChannel, eventNames, methodNames, type FieldlineApi, type Unsubscribe } from './api';
import { fail } from './result';

export interface ClientTransport {
  /** Sends a method call; resolves with the server's Result. */
  invoke(channel: string, args: readonly unknown[]): Promise<unknown>;
  /** Calls `listener` with each payload sent on `channel`, until unsubscribed. */
  subscribe(channel: string, listener: (payload: unknown) => void): Unsubscribe;
}

type Invoker = (...args: unknown[]) => Promise<unknown>;
type Subscriber = (listener: (payload: unknown) => void) => Unsubscribe;

export function createClient(transport: ClientTransport): FieldlineApi {
  const invoke: Record<string, Invoker> = {};
  for (const name of methodNames) {
    invoke[name] = async (...args) => {
      try {
        return await transport.invoke(name, args);
      } catch (err) {
        // The server answers every call with a Result; a rejection means the transport itself broke.
        return fail('INTERNAL', err instanceof Error ? err.message : String(err));
      }
    };
  }
  const on: Record<string, Subscriber> = {};
  for (const name of eventNames) {
    on[name] = (listener) => transport.subscribe(eventChannel(name), listener);
  }
  // The loops above create exactly one entry per method and event of the contract; TypeScript cannot follow
  // a loop over keys, so the mapped type is asserted here, in this one place.
  return Object.freeze({ invoke: Object.freeze(invoke), on: Object.freeze(on) }) as unknown as FieldlineApi;
}
