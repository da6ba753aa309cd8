/**
 * Bearer-token authentication for every endpoint but health. Runs at onRequest, before the body is read, so an
 * unauthenticated client cannot make the registry parse 64 MiB. The reply never says whether the token was
 * missing, malformed or unknown: all three are the same 401.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { RegistryRepository } from './repository';
import { ApiError } from './http';
import { tokenStation } from './tokens';

/** The authenticated station of a request. A WeakMap, not a request decoration, so fastify's types stay untouched. */
const stations = new WeakMap<FastifyRequest, string>();

export function stationOf(request: FastifyRequest): string {
  const station = stations.get(request);
  // Only reachable if a route were registered outside the authenticated scope: a bug, not a client error.
  if (station === undefined) throw new Error(`no authenticated station for ${request.method} ${request.url}`);
  return station;
}

const UNAUTHORIZED = (): ApiError =>
  new ApiError(401, 'UNAUTHORIZED', 'a valid station token is required (Authorization: Bearer flt_…)', {
    'www-authenticate': 'Bearer realm="fieldline-registry"',
  });

export function bearerAuth(repository: RegistryRepository) {
  return async (request: FastifyRequest, _reply: FastifyReply): Promise<void> => {
    const header = request.headers.authorization;
    const match = typeof header === 'string' ? /^Bearer ([!-~]{1,200})$/i.exec(header.trim()) : null;
    const station = match?.[1] ? await tokenStation(repository, match[1]) : undefined;
    if (station === undefined) throw UNAUTHORIZED();
    stations.set(request, station);
  };
}
