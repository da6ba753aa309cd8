/**
 * How the registry answers problems: always `{"error":{"code","message"}}` (errorReplySchema) with a stable code
 * from REGISTRY_ERROR_CODES, whatever failed — a handler's own check, fastify's body parser or a bug.
 */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { isFieldlineError } from '../main/errors';
import type { Logger } from '../main/log';
import type { ErrorReply, RegistryErrorCode } from '../main/contract/registry/api';
import type { RegistryRepository } from './repository';
import type { ZodError } from 'zod';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: RegistryErrorCode,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export function errorBody(code: RegistryErrorCode, message: string): ErrorReply {
  return { error: { code, message } };
}

/** The first few problems of a zod failure, as one line a client's log can show. */
export function describeZod(error: ZodError, what: string): string {
  const parts = error.issues.slice(0, 3).map((i) => `${i.path.length > 0 ? i.path.join('.') : what}: ${i.message}`);
  return parts.join('; ');
}

/** Statuses fastify's own errors carry (parser, router, limits), as our codes; another 4xx is a BAD_REQUEST. */
const FASTIFY_STATUS: Record<number, RegistryErrorCode> = {
  400: 'BAD_REQUEST',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  408: 'REQUEST_TIMEOUT',
  413: 'PAYLOAD_TOO_LARGE',
  414: 'URI_TOO_LONG',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  431: 'HEADERS_TOO_LARGE',
  503: 'UNAVAILABLE',
};

function toApiError(err: unknown, repository: RegistryRepository): ApiError | undefined {
  if (err instanceof ApiError) return err;
  const converted = repository.translateError(err);
  if (isFieldlineError(converted)) {
    if (converted.code === 'BUNDLE_INVALID') return new ApiError(400, 'BUNDLE_INVALID', converted.message);
    if (converted.code === 'INVALID_ARGUMENT') return new ApiError(400, 'BAD_REQUEST', converted.message);
    // Another process holds the database's write lock for longer than busy_timeout (or PostgreSQL timed out, lost
    // the connection, broke a deadlock): transient, so a 503 the station's drainer retries, not a 500 it might
    // treat as this record's fault.
    if (converted.code === 'STORE_BUSY') return new ApiError(503, 'UNAVAILABLE', 'the registry database is busy; try again', { 'retry-after': '1' });
    return undefined;
  }
  const status = (err as Partial<FastifyError> | null)?.statusCode;
  if (typeof status === 'number' && (FASTIFY_STATUS[status] !== undefined || (status >= 400 && status < 500))) {
    const code = FASTIFY_STATUS[status] ?? 'BAD_REQUEST';
    const message =
      code === 'PAYLOAD_TOO_LARGE'
        ? 'the request body is larger than this endpoint accepts'
        : code === 'UNSUPPORTED_MEDIA_TYPE'
          ? 'send the body as application/json'
          : (err as FastifyError).code === 'FST_ERR_CTP_INVALID_JSON_BODY'
            ? // fastify's parser refuses prototype-pollution keys with the same error as broken JSON.
              'the body is not valid JSON, or has a __proto__ or constructor.prototype key'
            : (err as Error).message;
    return new ApiError(status, code, message);
  }
  return undefined;
}

export function errorHandler(logger: Logger, repository: RegistryRepository) {
  return (err: unknown, request: FastifyRequest, reply: FastifyReply): void => {
    const api = toApiError(err, repository);
    if (api) {
      void reply.code(api.status).headers(api.headers).send(errorBody(api.code, api.message));
      return;
    }
    // A bug: log it in full, tell the client nothing about the inside.
    logger.error('request failed', { method: request.method, url: request.url, error: (err as Error)?.stack ?? String(err) });
    void reply.code(500).send(errorBody('INTERNAL', 'internal error'));
  };
}
