/**
 * Fleet endpoints: a station's heartbeat (PUT, its own name from its token), the station list and yield figures
 * over a period (GET, any station token, as the other read routes). Reads are bounded: at most FLEET_LIMITS.stations
 * stations, FLEET_LIMITS.yieldRows rows per yield table, a period of at most FLEET_LIMITS.yieldDays.
 */
import type { FastifyInstance } from 'fastify';
import { PATHS } from '../main/contract/registry/api';
import { FLEET_LIMITS, heartbeatSchema, yieldQuerySchema, type HeartbeatReply, type StationsReply, type YieldReply } from '../main/contract/registry/fleet';
import { stationOf } from './auth';
import type { FleetRepository } from './fleet';
import { ApiError, describeZod } from './http';
import { routePath } from './paths';

export interface FleetRoutesOptions {
  fleet: FleetRepository;
  now: () => Date;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** [from, to) as UTC instants (records' started_at is stored in UTC, so text order is time order). */
export function yieldPeriod(query: unknown): { from: string; to: string } {
  const parsed = yieldQuerySchema.safeParse(query);
  if (!parsed.success) throw new ApiError(400, 'BAD_REQUEST', `bad query: ${describeZod(parsed.error, 'query')}`);
  const from = Date.parse(parsed.data.from);
  const to = Date.parse(parsed.data.to);
  if (!Number.isFinite(from) || !Number.isFinite(to)) throw new ApiError(400, 'BAD_REQUEST', 'from and to must be times on the calendar');
  if (to <= from) throw new ApiError(400, 'BAD_REQUEST', 'to must be later than from');
  if (to - from > FLEET_LIMITS.yieldDays * DAY_MS) throw new ApiError(400, 'BAD_REQUEST', `a period of at most ${FLEET_LIMITS.yieldDays} days`);
  return { from: new Date(from).toISOString(), to: new Date(to).toISOString() };
}

export function fleetRoutes(app: FastifyInstance, { fleet, now }: FleetRoutesOptions): void {
  app.put(routePath(PATHS.heartbeat), { bodyLimit: FLEET_LIMITS.heartbeatBytes }, async (request): Promise<HeartbeatReply> => {
    const heartbeat = heartbeatSchema.safeParse(request.body);
    if (!heartbeat.success) throw new ApiError(400, 'BAD_REQUEST', `not a heartbeat: ${describeZod(heartbeat.error, 'body')}`);
    const station = stationOf(request);
    const at = now();
    await fleet.recordHeartbeat(station, heartbeat.data, at);
    return { station, lastSeen: at.toISOString() };
  });

  app.get(routePath(PATHS.stations), async (): Promise<StationsReply> => ({ stations: await fleet.stations(FLEET_LIMITS.stations) }));

  app.get(routePath(PATHS.yield), async (request): Promise<YieldReply> => {
    const period = yieldPeriod(request.query);
    return { ...period, ...(await fleet.yields(period.from, period.to, FLEET_LIMITS.yieldRows)) };
  });
}
