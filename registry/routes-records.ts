/** Record endpoints: batched upload, one-record upload, device look-up, the devices at a site, and paging through everything received since a cursor. */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { devicesQuerySchema, LIMITS, PATHS, recordsQuerySchema, type BatchUploadReply, type DevicesPage, type RecordPutReply, type RecordRejectionCode } from '../main/contract/registry/api';
import { lowerUuidSchema, serialSchema } from '../main/contract/registry/record';
import { stationOf } from './auth';
import { ApiError, describeZod } from './http';
import { decodeCursor } from './records';
import type { RegistryRepository } from './repository';
import { routePath } from './paths';
import { decodeSiteCursor } from './sites';

/**
 * The batch envelope, checked loosely: batchUploadRequestSchema (the shape clients send) would fail the whole batch for one bad record,
 * so here only "an object with an array of objects" is required and each element is checked on its own against
 * the same element schema (registryRunRecordSchema) by RecordStore. The count limit is checked first and apart, to
 * answer 413 without looking at 10,000 elements.
 */
const batchEnvelopeSchema = z.object({
  records: z.array(z.record(z.string(), z.unknown())),
});
/** batchUploadRequestSchema's bound. */
const MAX_RECORDS = LIMITS.batchRecords;

const messagesOf = (error: z.ZodError): string => error.issues.map((i) => i.message).join('; ');

/** The status a single-record upload answers for each reason a batch lists a record as rejected. */
const REJECTION_STATUS: Record<RecordRejectionCode, number> = { RECORD_INVALID: 400, RECORD_CONFLICT: 409, PAYLOAD_TOO_LARGE: 413 };

export interface RecordRoutesOptions {
  repository: RegistryRepository;
  now: () => Date;
  batchBodyBytes: number;
}

export function recordRoutes(app: FastifyInstance, { repository, now, batchBodyBytes }: RecordRoutesOptions): void {
  app.post(routePath(PATHS.recordsBatch), { bodyLimit: batchBodyBytes }, async (request): Promise<BatchUploadReply> => {
    const { body } = request;
    const count = body !== null && typeof body === 'object' && Array.isArray((body as { records?: unknown }).records) ? (body as { records: unknown[] }).records.length : 0;
    if (count > MAX_RECORDS) {
      // 413, not 400: the client's remedy is the same as for too many bytes — send smaller batches.
      throw new ApiError(413, 'PAYLOAD_TOO_LARGE', `${count} records in one batch; at most ${MAX_RECORDS}`);
    }
    const envelope = batchEnvelopeSchema.safeParse(body);
    if (!envelope.success) throw new ApiError(400, 'BAD_REQUEST', `not a batch: ${describeZod(envelope.error, 'body')}`);
    const items = envelope.data.records;
    if (items.length === 0) throw new ApiError(400, 'BAD_REQUEST', 'a batch needs at least one record');
    return repository.storeRecords(items, stationOf(request), now());
  });

  // PUT-if-absent: the id is the idempotency key, so the same record again is 200, another record under it 409.
  app.put<{ Params: { id: string } }>(routePath(PATHS.record), { bodyLimit: batchBodyBytes }, async (request, reply): Promise<RecordPutReply> => {
    const id = lowerUuidSchema.safeParse(request.params.id);
    if (!id.success) throw new ApiError(400, 'BAD_REQUEST', `id: ${messagesOf(id.error)}`);
    const { body } = request;
    if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new ApiError(400, 'BAD_REQUEST', 'the body must be one run record (a JSON object)');
    if ((body as { id?: unknown }).id !== id.data) throw new ApiError(400, 'RECORD_INVALID', `id: the record's id is not ${id.data}, the one in the path`);
    const verdict = await repository.storeRecord(body, stationOf(request), now());
    if (verdict.kind === 'rejected') throw new ApiError(REJECTION_STATUS[verdict.code], verdict.code, verdict.reason);
    void reply.code(verdict.kind === 'accepted' ? 201 : 200);
    return { id: id.data, result: verdict.kind };
  });

  app.get(routePath(PATHS.records), async (request) => {
    const query = recordsQuerySchema.safeParse(request.query);
    if (!query.success) throw new ApiError(400, 'BAD_REQUEST', `bad query: ${describeZod(query.error, 'query')}`);
    // `since=` (empty) is taken as absent: a client with no cursor yet may well send it so.
    const since = query.data.since === undefined || query.data.since === '' ? 0 : decodeCursor(query.data.since);
    if (since === undefined) throw new ApiError(400, 'BAD_REQUEST', 'since: not a cursor this registry gave out');
    return repository.recordsSince(since, query.data.limit);
  });

  app.get(routePath(PATHS.devices), async (request): Promise<DevicesPage> => {
    const query = devicesQuerySchema.safeParse(request.query);
    if (!query.success) throw new ApiError(400, 'BAD_REQUEST', `bad query: ${describeZod(query.error, 'query')}`);
    const { site, limit, cursor } = query.data;
    const after = cursor === undefined || cursor === '' ? '' : decodeSiteCursor(cursor);
    if (after === undefined) throw new ApiError(400, 'BAD_REQUEST', 'cursor: not a cursor this registry gave out');
    return repository.devicesAtSite(site, after, limit);
  });

  app.get<{ Params: { serial: string } }>(routePath(PATHS.device), async (request) => {
    // The serial rule of the edge: a look-up no stored record could match is a 400 that says why, not a 404.
    const serial = serialSchema.safeParse(request.params.serial);
    if (!serial.success) throw new ApiError(400, 'BAD_REQUEST', `serial: ${messagesOf(serial.error)}`);
    const device = await repository.device(serial.data);
    if (!device) throw new ApiError(404, 'NOT_FOUND', 'no records of this device');
    return device;
  });
}
