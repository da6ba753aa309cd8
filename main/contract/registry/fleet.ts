/**
 * Stations as a fleet: the heartbeat a station sends with each sync, the station list and the yield figures the
 * registry answers with (GET /v1/stations, GET /v1/yield), which its dashboard shows. Every field is bounded: a
 * heartbeat is untrusted input to the registry, and the registry's replies are untrusted input to a client.
 */
import { z } from 'zod';
import { isoTimeSchema } from './record';

export const FLEET_LIMITS = {
  /** Stations GET /v1/stations lists at most (by name). */
  stations: 1000,
  /** Rows of each yield table at most (the most runs first). */
  yieldRows: 500,
  /** The longest period GET /v1/yield sums over. */
  yieldDays: 366,
  /** The heartbeat's body at most, in bytes. */
  heartbeatBytes: 8 * 1024,
} as const;

const count = z.number().int().min(0).max(1_000_000_000);
/** ISO-8601 with seconds and a zone, on the calendar, as the registry takes run records' times. */
const isoTime = isoTimeSchema;
const label = z.string().min(1).max(200);

export const heartbeatSchema = z.strictObject({
  /** The station's Fieldline version. */
  version: z.string().min(1).max(64),
  /** Records waiting to be delivered, and those the registry refused (dead letters). */
  queue: z.strictObject({ pending: count, deadLetter: count }),
  /** The station's newest run, whatever its outcome; null before the first. */
  lastRun: z.strictObject({ id: z.string().min(1).max(64), at: isoTime, outcome: z.string().min(1).max(32) }).nullable(),
  /** The zero-touch line's open session; null when none is open (or the sender cannot know, as `fieldline sync`). */
  lineSession: z.strictObject({ profile: label, since: isoTime, passed: count, failed: count }).nullable(),
});
export type Heartbeat = z.infer<typeof heartbeatSchema>;

export const heartbeatReplySchema = z.object({ station: z.string(), lastSeen: z.string() });
export type HeartbeatReply = z.infer<typeof heartbeatReplySchema>;

export const stationInfoSchema = z.object({
  name: z.string(),
  /** When its first token was made. */
  registeredAt: z.string(),
  /** When its last heartbeat arrived; null before the first. */
  lastSeen: z.string().nullable(),
  heartbeat: heartbeatSchema.nullable(),
});
export type StationInfo = z.infer<typeof stationInfoSchema>;

export const stationsReplySchema = z.object({ stations: z.array(stationInfoSchema).max(FLEET_LIMITS.stations) });
export type StationsReply = z.infer<typeof stationsReplySchema>;

/** `GET /v1/yield?from&to`: runs that started in [from, to) (UTC instants). */
export const yieldQuerySchema = z.object({ from: isoTime, to: isoTime });

const yieldRow = { passed: count, failed: count, total: count };
export const yieldReplySchema = z.object({
  from: z.string(),
  to: z.string(),
  /** Per receiving station (the token's station). `total` counts every outcome; `failed` only runs that failed. */
  byStation: z.array(z.object({ station: z.string(), ...yieldRow })).max(FLEET_LIMITS.yieldRows),
  /** Per profile name and version, as the records name them. */
  byProfile: z.array(z.object({ profile: z.string(), version: z.string(), ...yieldRow })).max(FLEET_LIMITS.yieldRows),
});
export type YieldReply = z.infer<typeof yieldReplySchema>;
