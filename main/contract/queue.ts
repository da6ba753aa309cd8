/**
 * The queue of finished runs waiting for the registry: how many are pending, in flight and dead-lettered, whether
 * the registry was reachable, and the two things a technician can do — sync now, or export an offline bundle.
 */
import { z } from 'zod';
import { boundedList, boundedText, isoTimeSchema, LIMITS } from './bounds';

export const QueueStatusSchema = z.object({
  pending: z.number().int().nonnegative(),
  inFlight: z.number().int().nonnegative(),
  deadLetter: z.number().int().nonnegative(),
  /** Exported in a bundle, not yet seen in the registry. */
  exported: z.number().int().nonnegative(),
  /** The registry answered the last attempt (false also when none was made or none is configured). */
  online: z.boolean(),
  registryConfigured: z.boolean(),
  lastSuccessAt: isoTimeSchema.optional(),
  lastError: boundedText().optional(),
  nextAttemptAt: isoTimeSchema.optional(),
});

/** The most records queue:list answers with (the counts say how many there are in all). */
export const QUEUE_LIST_MAX = 200;

/** One record the registry has not seen yet: its run, where it stands in the queue, and why it is still there. */
export const QueueEntrySchema = z.object({
  runId: z.string().max(LIMITS.id),
  serial: z.string().max(LIMITS.name),
  outcome: z.string().max(32),
  /** pending: waits for the next send; in-flight: being sent; dead: refused by the registry; exported: in a bundle. */
  state: z.enum(['pending', 'in-flight', 'dead', 'exported']),
  enqueuedAt: isoTimeSchema,
  attempts: z.number().int().nonnegative(),
  lastError: boundedText().optional(),
  /** Why the registry refused it (dead). */
  deadReason: boundedText().optional(),
});

export const queueMethods = {
  /** The records not yet in the registry, oldest first, at most `limit` (default 100); `total` counts them all. */
  'queue:list': {
    args: z.tuple([z.object({ limit: z.number().int().min(1).max(QUEUE_LIST_MAX).optional() }).strict().optional()]),
    result: z.object({ entries: boundedList(QueueEntrySchema, QUEUE_LIST_MAX), total: z.number().int().nonnegative() }),
  },
  'queue:status': {
    args: z.tuple([]),
    result: QueueStatusSchema,
  },
  /** One drain now, whatever the back-off says; answers the status after it. */
  'queue:sync-now': {
    args: z.tuple([]),
    result: QueueStatusSchema,
  },
  /** Writes every pending record into a signed bundle file in the data directory's bundles/ folder. */
  'queue:export-bundle': {
    args: z.tuple([]),
    /** `file` is absent when nothing was pending; `remaining` records did not fit one bundle: export again. */
    result: z.object({ file: z.string().max(LIMITS.path).optional(), count: z.number().int().nonnegative(), remaining: z.number().int().nonnegative() }),
  },
} as const;

export const queueEvents = {
  'queue:state': QueueStatusSchema,
} as const;

export type QueueStatus = z.output<typeof QueueStatusSchema>;
export type QueueEntry = z.output<typeof QueueEntrySchema>;
export type QueueList = z.output<(typeof queueMethods)['queue:list']['result']>;
