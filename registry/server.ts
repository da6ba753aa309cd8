/**
 * Starting the reference registry on a socket. Loopback (127.0.0.1) unless told otherwise: the registry speaks
 * plain HTTP, so serving beyond the machine belongs behind a TLS-terminating proxy (which may also do mTLS).
 */
import type { FastifyInstance } from 'fastify';
import { FieldlineError } from '../main/errors';
import type { Logger } from '../main/log';
import { buildRegistryApp } from './app';
import { openRegistryDb, type RegistryDb } from './db';
import { PostgresRepository, type PostgresOptions } from './postgres-repository';
import type { RegistryRepository } from './repository';
import { SqliteRepository } from './sqlite-repository';

/** Where the registry keeps its data: a SQLite file (the embedded default) or a PostgreSQL database. */
export type RegistryStorage = { dbFile: string; database?: undefined } | { database: string; dbFile?: undefined; postgres?: PostgresOptions };

interface ServeOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  host?: string;
  logger?: Logger;
  /** Byte limit of a batch (and other JSON bodies); default LIMITS.batchBytes. */
  maxBodyBytes?: number;
  /** Byte limit of a bundle; default LIMITS.bundleBytes. */
  maxBundleBytes?: number;
  now?: () => Date;
}

export type StartRegistryOptions = ServeOptions & RegistryStorage;

export interface RunningRegistry {
  /** Base URL, e.g. http://127.0.0.1:8780 (paths are appended: `${url}/v1/health`). */
  url: string;
  port: number;
  repository: RegistryRepository;
  /** Stops accepting, lets requests in flight finish, closes the database. */
  close(): Promise<void>;
}

/** A registry on SQLite, whose open database tests and the station demo may use directly. */
export interface RunningSqliteRegistry extends RunningRegistry {
  db: RegistryDb;
}

/** The operator's mistakes when choosing where to listen, in words; anything else stays a bug. */
function listenError(err: unknown, host: string, port: number): unknown {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  const where = `${host}:${port}`;
  if (code === 'EADDRINUSE') return new FieldlineError('INVALID_ARGUMENT', `${where} is already in use (another registry?); choose another --port`, {}, { cause: err });
  if (code === 'EACCES') return new FieldlineError('INVALID_ARGUMENT', `not allowed to listen on ${where} (ports below 1024 need privileges)`, {}, { cause: err });
  if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') return new FieldlineError('INVALID_ARGUMENT', `${host} is not an address of this machine`, {}, { cause: err });
  return err;
}

/** Opens (and migrates) the storage `options` names; the caller closes it. */
export async function openRegistryRepository(options: RegistryStorage & { logger?: Logger }): Promise<RegistryRepository> {
  if (options.database !== undefined) {
    return PostgresRepository.open(options.database, { ...options.postgres, ...(options.logger && { logger: options.logger }) });
  }
  return new SqliteRepository(openRegistryDb(options.dbFile));
}

export function startRegistry(options: ServeOptions & { dbFile: string; database?: undefined }): Promise<RunningSqliteRegistry>;
export function startRegistry(options: StartRegistryOptions): Promise<RunningRegistry>;
export async function startRegistry(options: StartRegistryOptions): Promise<RunningRegistry> {
  const repository = await openRegistryRepository(options);
  let app: FastifyInstance | undefined;
  try {
    app = await buildRegistryApp({
      repository,
      ...(options.logger && { logger: options.logger }),
      ...(options.maxBodyBytes !== undefined && { maxBodyBytes: options.maxBodyBytes }),
      ...(options.maxBundleBytes !== undefined && { maxBundleBytes: options.maxBundleBytes }),
      ...(options.now && { now: options.now }),
    });
    const host = options.host ?? '127.0.0.1';
    try {
      await app.listen({ port: options.port ?? 0, host });
    } catch (err) {
      throw listenError(err, host, options.port ?? 0);
    }
    const listening = app;
    const address = app.server.address();
    if (address === null || typeof address === 'string') throw new Error(`registry listening on an unexpected address: ${String(address)}`);
    const urlHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    let closed: Promise<void> | undefined;
    return {
      url: `http://${urlHost}:${address.port}`,
      port: address.port,
      repository,
      ...(repository instanceof SqliteRepository && { db: repository.db }),
      close: () => (closed ??= listening.close().then(() => repository.close())),
    };
  } catch (err) {
    await app?.close();
    await repository.close();
    throw err;
  }
}
