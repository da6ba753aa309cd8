/**
 * The serving side of the contract, independent of the transport (ipcMain, WebSocket): look the method up, parse
 * the arguments with its schema, call the handler, check the value against the schema and wrap it in a Result.
 * Handlers return plain values; an expected failure is thrown as an error carrying a contract `code`
 * (main/errors.ts's FieldlineError). Anything else thrown is a bug and answers INTERNAL.
 */
import { z } from 'zod';
import { events, isMethodName, methods, type EventName, type EventPayload, type MethodName, type MethodParams, type MethodValue } from './api';
import { isErrorCode } from './errors';
import { fail, ok, type Result } from './result';

export type MethodHandlers = {
  readonly [N in MethodName]: (...args: MethodParams<N>) => MethodValue<N> | Promise<MethodValue<N>>;
};

export interface DispatchOptions {
  /** Told about every call that failed with INTERNAL (a bug): log it. */
  readonly onBug?: (channel: string, error: unknown) => void;
}

export type Dispatch = (channel: string, args: readonly unknown[]) => Promise<Result<unknown>>;

type AnyHandler = (...args: readonly unknown[]) => unknown;

function expectedFailure(err: unknown): Result<never> | undefined {
  if (typeof err !== 'object' || err === null || !('code' in err) || !isErrorCode(err.code)) return undefined;
  const detail = 'message' in err && typeof err.message === 'string' && err.message !== '' ? err.message : undefined;
  return fail(err.code, detail);
}

export function createDispatch(handlers: MethodHandlers, options: DispatchOptions = {}): Dispatch {
  return async (channel, rawArgs) => {
    if (!isMethodName(channel)) return fail('INVALID_ARGUMENT', `unknown method ${JSON.stringify(channel)}`);
    const spec = methods[channel];
    const args = spec.args.safeParse(rawArgs);
    if (!args.success) return fail('INVALID_ARGUMENT', `${channel}: ${z.prettifyError(args.error)}`);
    // Indexing a mapped type by a union key loses the per-method link between arguments and handler.
    const handler = handlers[channel] as AnyHandler;
    let value: unknown;
    try {
      value = await handler(...args.data);
    } catch (err) {
      const failure = expectedFailure(err);
      if (failure) return failure;
      options.onBug?.(channel, err);
      return fail('INTERNAL', `${channel} failed`);
    }
    const checked = spec.result.safeParse(value);
    if (!checked.success) {
      options.onBug?.(channel, checked.error);
      return fail('INTERNAL', `${channel} returned a value outside the contract`);
    }
    return ok(checked.data);
  };
}

/** Checks an event payload against its schema before it is sent; throws on a mismatch (a bug on the Node side). */
export function encodeEvent<E extends EventName>(name: E, payload: EventPayload<E>): EventPayload<E> {
  return events[name].parse(payload) as EventPayload<E>;
}
