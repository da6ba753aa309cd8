/**
 * Every contract method answers with a Result: expected failures are values with a stable code, never exceptions
 * crossing the process boundary.
 */
import { z } from 'zod';
import { describeError, ERROR_CODE_LIST, type ErrorCode, type ErrorInfo } from './errors';

export type Result<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: ErrorInfo };

export const ErrorInfoSchema = z.object({
  code: z.enum(ERROR_CODE_LIST),
  message: z.string(),
  hint: z.string().optional(),
});

export function ok<T>(value: T): Result<T> {
  return { ok: true, value };
}

export function fail<T = never>(code: ErrorCode, detail?: string): Result<T> {
  return { ok: false, error: describeError(code, detail) };
}
