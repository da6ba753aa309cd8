/** The release repository of an open records repository, on the same database (its pool or its file). */
import { PostgresRepository } from './postgres-repository';
import type { ReleaseRepository } from './releases';
import { PostgresReleaseRepository } from './releases-postgres';
import { SqliteReleaseRepository } from './releases-sqlite';
import type { RegistryRepository } from './repository';
import { SqliteRepository } from './sqlite-repository';

/** The release repository on the records repository's own database. */
export function releaseRepositoryFor(repository: RegistryRepository): ReleaseRepository {
  if (repository instanceof SqliteRepository) return new SqliteReleaseRepository(repository.db);
  if (repository instanceof PostgresRepository) return new PostgresReleaseRepository(repository.pool);
  throw new Error(`no release storage for a ${repository.engine} repository`);
}
