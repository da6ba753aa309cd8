/** The always-visible strip: online or not, queue size, runs under way, who is at the station, is the CA ready. */
import { z } from 'zod';
import { LIMITS } from './bounds';

export const StationStatusSchema = z.object({
  online: z.boolean(),
  queueSize: z.number().int().nonnegative(),
  activeRuns: z.number().int().nonnegative(),
  operator: z.string().max(LIMITS.name),
  dataDir: z.string().max(LIMITS.path),
  caReady: z.boolean(),
});

export const stationMethods = {
  'station:status': { args: z.tuple([]), result: StationStatusSchema },
} as const;

export const stationEvents = {
  'station:status': StationStatusSchema,
} as const;

export type StationStatus = z.output<typeof StationStatusSchema>;
