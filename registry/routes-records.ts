/** Record endpoints: batched upload, device look-up, and paging through everything received since a cursor. */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { LIMITS, PATHS, recordsQuerySchema, type BatchUploadReply } from '../main/sync/registry-api';
import { stationOf } from './auth';
import { ApiError, describeZod } from './http';
import { decodeCursor, type RecordStore } from './records';
import { routePath } from './paths';

/**
 * The batch envelope, checked loosely: batchUploadRequestSchema (the shape clients send) would fail the whole batch for one bad record,
 * so here only "an object with an array of objects" is required and each element is checked on its own against
 * the same element schema (runRecordSchema) by RecordStore. The count limit is checked apart, to answer 413.
 */
const batchEnvelopeSchema = z.object({
  records: z.array(z.record(z.string(), z.unknown())),
});
/** batchUploadRequestSchema's bound. */
const MAX_RECORDS = LIMITS.batchRecords;

export interface RecordRoutesOptions {
  records: RecordStore;
  now: () => Date;
  batchBodyBytes: number;
}

export function recordRoutes(app: FastifyInstance, { records, now, batchBodyBytes }: RecordRoutesOptions): void {
  app.post(routePath(PATHS.recordsBatch), { bodyLimit: batchBodyBytes }, async (request): Promise<BatchUploadReply> => {
    const envelope = batchEnvelopeSchema.safeParse(request.body);
    if (!envelope.success) throw new ApiError(400, 'BAD_REQUEST', `not a batch: ${describeZod(envelope.error, 'body')}`);
    const items = envelope.data.records;
    if (items.length === 0) throw new ApiError(400, 'BAD_REQUEST', 'a batch needs at least one record');
    if (items.length > MAX_RECORDS) {
      // 413, not 400: the client's remedy is the same as for too many bytes — send smaller batches.
      throw new ApiError(413, 'PAYLOAD_TOO_LARGE', `${items.length} records in one batch; at most ${MAX_RECORDS}`);
    }
    return records.store(items, stationOf(request), now());
  });

  app.get(routePath(PATHS.records), async (request) => {
    const query = recordsQuerySchema.safeParse(request.query);
    if (!query.success) throw new ApiError(400, 'BAD_REQUEST', `bad query: ${describeZod(query.error, 'query')}`);
    // `since=` (empty) is taken as absent: a client with no cursor yet may well send it so.
    const since = query.data.since === undefined || query.data.since === '' ? 0 : decodeCursor(query.data.since);
    if (since === undefined) throw new ApiError(400, 'BAD_REQUEST', 'since: not a cursor this registry gave out');
    return records.since(since, query.data.limit);
  });

  app.get<{ Params: { serial: string } }>(routePath(PATHS.device), async (request) => {
    const device = records.device(request.params.serial);
    if (!device) throw new ApiError(404, 'NOT_FOUND', 'no records of this device');
    return device;
  });
}
