/** The revocation repository of an open records repository, on the same database (its pool or its file). */
import { PostgresRepository } from './postgres-repository';
import type { RegistryRepository } from './repository';
import type { RevocationRepository } from './revocations';
import { PostgresRevocationRepository } from './revocations-postgres';
import { SqliteRevocationRepository } from './revocations-sqlite';
import { SqliteRepository } from './sqlite-repository';

export function revocationRepositoryFor(repository: RegistryRepository): RevocationRepository {
  if (repository instanceof SqliteRepository) return new SqliteRevocationRepository(repository.db);
  if (repository instanceof PostgresRepository) return new PostgresRevocationRepository(repository.pool);
  throw new Error(`no revocation storage for a ${repository.engine} repository`);
}
