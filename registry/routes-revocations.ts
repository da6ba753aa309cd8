/**
 * Revocation lists: a station uploads its CA's whole list (PUT, its own name from its token; the list replaces the one
 * stored for it), and any station token reads every station's (GET) — a visit kit carries them to a site offline.
 */
import type { FastifyInstance } from 'fastify';
import { PATHS } from '../main/contract/registry/api';
import {
  REVOCATION_LIMITS,
  revocationListUploadSchema,
  revocationsQuerySchema,
  type RevocationListPutReply,
  type RevocationsReply,
} from '../main/contract/registry/revocations';
import { stationOf } from './auth';
import { ApiError, describeZod } from './http';
import { routePath } from './paths';
import type { RevocationRepository } from './revocations';

export interface RevocationRoutesOptions {
  revocations: RevocationRepository;
  now: () => Date;
}

export function revocationRoutes(app: FastifyInstance, { revocations, now }: RevocationRoutesOptions): void {
  app.put(routePath(PATHS.stationRevocations), { bodyLimit: REVOCATION_LIMITS.bodyBytes }, async (request): Promise<RevocationListPutReply> => {
    const { body } = request;
    const entries = body !== null && typeof body === 'object' ? (body as { entries?: unknown }).entries : undefined;
    if (Array.isArray(entries) && entries.length > REVOCATION_LIMITS.entries) {
      // 413 before looking at 100,000 entries one by one, as a batch of too many records is.
      throw new ApiError(413, 'PAYLOAD_TOO_LARGE', `${entries.length} entries in one revocation list; at most ${REVOCATION_LIMITS.entries}`);
    }
    const list = revocationListUploadSchema.safeParse(body);
    if (!list.success) throw new ApiError(400, 'BAD_REQUEST', `not a revocation list: ${describeZod(list.error, 'body')}`);
    const station = stationOf(request);
    const at = now();
    await revocations.replace(station, list.data.issuer, list.data.entries, at);
    return { station, issuer: list.data.issuer, updatedAt: at.toISOString(), count: list.data.entries.length };
  });

  app.get(routePath(PATHS.revocations), async (request): Promise<RevocationsReply> => {
    const query = revocationsQuerySchema.safeParse(request.query);
    if (!query.success) throw new ApiError(400, 'BAD_REQUEST', `bad query: ${describeZod(query.error, 'query')}`);
    return { lists: await revocations.lists(query.data.station) };
  });
}
