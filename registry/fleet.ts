/**
 * Stations as a fleet, as the registry keeps them, behind an interface of its own beside RegistryRepository: the
 * latest heartbeat per station, the station list, and yield figures over a period read from the records held. Each
 * engine's implementation shares the records repository's database (fleet-sqlite.ts, fleet-postgres.ts).
 */
import type { Heartbeat, StationInfo, YieldReply } from '../main/contract/registry/fleet';
import { PostgresFleetRepository } from './fleet-postgres';
import { SqliteFleetRepository } from './fleet-sqlite';
import { PostgresRepository } from './postgres-repository';
import type { RegistryRepository } from './repository';
import { SqliteRepository } from './sqlite-repository';

export interface FleetRepository {
  /** Keeps `heartbeat` as the station's latest, seen at `at` (replacing the one before). */
  recordHeartbeat(station: string, heartbeat: Heartbeat, at: Date): Promise<void>;
  /** Every station (by name, at most `limit`), with its latest heartbeat where it sent one. */
  stations(limit: number): Promise<StationInfo[]>;
  /** Passed, failed and all runs that started in [from, to), per station and per profile, most runs first. */
  yields(from: string, to: string, limit: number): Promise<Omit<YieldReply, 'from' | 'to'>>;
}

/** The fleet repository on the records repository's own database. */
export function fleetRepositoryFor(repository: RegistryRepository): FleetRepository {
  if (repository instanceof SqliteRepository) return new SqliteFleetRepository(repository.db);
  if (repository instanceof PostgresRepository) return new PostgresFleetRepository(repository.pool);
  throw new Error(`no fleet storage for a ${repository.engine} repository`);
}
