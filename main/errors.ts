/**
 * Expected failures (port busy, device timeout, bad frame from a device…) are FieldlineErrors with a stable
 * `code` from the contract's table; anything else thrown is a bug. Callers at the edges (CLI, IPC) turn a
 * FieldlineError into the technician's words with describeError().
 */
import type { ErrorCode } from './contract/errors';

export class FieldlineError extends Error {
  override readonly name = 'FieldlineError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: Record<string, unknown> = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export function isFieldlineError(err: unknown, code?: ErrorCode): err is FieldlineError {
  return err instanceof FieldlineError && (code === undefined || err.code === code);
}
