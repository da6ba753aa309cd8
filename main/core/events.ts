/**
 * The app's outgoing events, typed by the contract: the parts of the app emit, the servers (ipcMain, WebSocket)
 * and the tests listen. A listener that throws is a bug in that listener; it must not stop the others or the
 * emitting part (a run must not fail because a WebSocket closed), so the error goes to `onListenerError`.
 */
import type { EventName, EventPayload } from '../contract/api';

export type AnyEventListener = <E extends EventName>(name: E, payload: EventPayload<E>) => void;

export interface AppEvents {
  emit<E extends EventName>(name: E, payload: EventPayload<E>): void;
  on<E extends EventName>(name: E, listener: (payload: EventPayload<E>) => void): () => void;
  /** Every event, in order: what a server forwards to its clients. */
  onAny(listener: AnyEventListener): () => void;
}

export function createAppEvents(onListenerError: (error: unknown) => void = () => {}): AppEvents {
  const all = new Set<AnyEventListener>();
  const byName = new Map<EventName, Set<(payload: never) => void>>();
  const call = (fn: () => void): void => {
    try {
      fn();
    } catch (err) {
      onListenerError(err);
    }
  };
  return {
    emit(name, payload) {
      for (const listener of [...(byName.get(name) ?? [])]) call(() => (listener as (p: typeof payload) => void)(payload));
      for (const listener of [...all]) call(() => listener(name, payload));
    },
    on(name, listener) {
      let set = byName.get(name);
      if (!set) byName.set(name, (set = new Set()));
      set.add(listener);
      return () => void set.delete(listener);
    },
    onAny(listener) {
      all.add(listener);
      return () => void all.delete(listener);
    },
  };
}
