/** The fleet repository (fleet-repository.ts) on the records repository's own database. */
import { PostgresFleetRepository } from './fleet-postgres';
import type { FleetRepository } from './fleet-repository';
import { SqliteFleetRepository } from './fleet-sqlite';
import { PostgresRepository } from './postgres-repository';
import type { RegistryRepository } from './repository';
import { SqliteRepository } from './sqlite-repository';

export type { FleetRepository } from './fleet-repository';

export function fleetRepositoryFor(repository: RegistryRepository): FleetRepository {
  if (repository instanceof SqliteRepository) return new SqliteFleetRepository(repository.db);
  if (repository instanceof PostgresRepository) return new PostgresFleetRepository(repository.pool);
  throw new Error(`no fleet storage for a ${repository.engine} repository`);
}
