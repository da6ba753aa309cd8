/**
 * The queue of finished runs waiting for the registry: how many are pending, in flight and dead-lettered, whether
 * the registry was reachable, and the two things a technician can do — sync now, or export an offline bundle.
 */
import { z } from 'zod';
import { boundedText, isoTimeSchema, LIMITS } from './bounds';

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

export const queueMethods = {
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
