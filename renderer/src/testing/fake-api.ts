/**
 * A FieldlineApi for tests, built with the contract's own createClient over an in-memory transport: methods answer
 * from handlers (a missing one answers INTERNAL), events are fired with `emit`. Calls are recorded.
 */
import type { EventName, EventPayload, FieldlineApi, MethodArgs, MethodName, MethodValue, Result } from '../../../main/contract/api';
import { eventChannel } from '../../../main/contract/api';
import { createClient } from '../../../main/contract/client';
import { fail, ok } from '../../../main/contract/result';

export type Handlers = {
  [N in MethodName]?: (...args: MethodArgs<N>) => Result<MethodValue<N>> | MethodValue<N> | Promise<Result<MethodValue<N>> | MethodValue<N>>;
};

export interface FakeApi {
  readonly api: FieldlineApi;
  readonly calls: Array<{ method: string; args: readonly unknown[] }>;
  handlers: Handlers;
  emit<E extends EventName>(name: E, payload: EventPayload<E>): void;
  listenerCount(name: EventName): number;
}

function isResult(value: unknown): value is Result<unknown> {
  return typeof value === 'object' && value !== null && 'ok' in value && typeof (value as { ok: unknown }).ok === 'boolean';
}

export function createFakeApi(handlers: Handlers = {}): FakeApi {
  const listeners = new Map<string, Set<(payload: unknown) => void>>();
  const fake: FakeApi = {
    api: createClient({
      invoke: async (channel, args) => {
        fake.calls.push({ method: channel, args });
        const handler = (fake.handlers as Record<string, ((...a: unknown[]) => unknown) | undefined>)[channel];
        if (!handler) return fail('INTERNAL', `no fake handler for ${channel}`);
        const value = await handler(...args);
        return isResult(value) ? value : ok(value);
      },
      subscribe: (channel, listener) => {
        let set = listeners.get(channel);
        if (!set) listeners.set(channel, (set = new Set()));
        set.add(listener);
        return () => void set.delete(listener);
      },
    }),
    calls: [],
    handlers,
    emit(name, payload) {
      for (const listener of [...(listeners.get(eventChannel(name)) ?? [])]) listener(payload);
    },
    listenerCount: (name) => listeners.get(eventChannel(name))?.size ?? 0,
  };
  return fake;
}

/** A schedule that runs only when told: frames under the test's control. */
export function manualFrames(): { schedule: (flush: () => void) => void; frame(): void; readonly pending: number } {
  let queued: Array<() => void> = [];
  return {
    schedule: (flush) => void queued.push(flush),
    frame() {
      const now = queued;
      queued = [];
      for (const f of now) f();
    },
    get pending() {
      return queued.length;
    },
  };
}

/** Lets pending promise callbacks run. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 10; i += 1) await Promise.resolve();
  await new Promise((resolve) => setTimeout(resolve, 0));
}
