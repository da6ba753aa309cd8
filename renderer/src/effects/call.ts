/**
 * Every contract call goes through here: a failed Result is put in the alert region with the contract's words and
 * hint, and what was being done. A call that throws (a broken bridge — a bug) becomes INTERNAL: the technician
 * reads words, never a stack trace.
 */
import type { Result } from '../../../main/contract/api';
import { describeError } from '../../../main/contract/errors';
import { alertsStore } from '../state/alerts';

export async function call<T>(context: string, pending: Promise<Result<T>>): Promise<Result<T>> {
  const result = await callInPlace(pending);
  if (result.ok) alertsStore.getState().clearContext(context);
  else alertsStore.getState().push(context, result.error);
  return result;
}

/**
 * A call whose failure is shown where it was asked for (inside a modal dialog, which the alert region sits under):
 * the same Result, with no alert.
 */
export async function callInPlace<T>(pending: Promise<Result<T>>): Promise<Result<T>> {
  try {
    return await pending;
  } catch {
    return { ok: false, error: describeError('INTERNAL') };
  }
}
