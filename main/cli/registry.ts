/**
 * `fieldline registry …`, the server side: run the reference registry (`serve`), issue station tokens
 * (`token create`) and register an offline station's bundle key (`station add-key`). The station side
 * (`registry login`, `registry upload-bundle`) adds its subcommands to the Command returned here.
 */
import { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { DEFAULT_REGISTRY_DB } from '../../registry/db';
import { publicKeyFromPem, registerKeyIn } from '../../registry/keys';
import { checkPostgresUrl, isPostgresUrl, redactDatabaseUrl } from '../../registry/postgres-url';
import type { RegistryRepository } from '../../registry/repository';
import { openRegistryRepository, startRegistry, type RegistryStorage } from '../../registry/server';
import { issueToken } from '../../registry/tokens';
import { FieldlineError } from '../errors';
import { createLogger, type Logger } from '../log';
import { print, type OutputOptions } from './output';

export const DEFAULT_REGISTRY_PORT = 8780;
/** A postgres:// URL or a SQLite file, used when neither --database nor --db is given. */
export const REGISTRY_DB_VARIABLE = 'FIELDLINE_REGISTRY_DB';

interface DbOptions extends OutputOptions {
  db?: string;
  database?: string;
}

interface ServeOptions extends DbOptions {
  port: number;
  host: string;
  maxConnections: number;
  statementTimeout: number;
}

interface StationOptions extends DbOptions {
  station: string;
}

interface AddKeyOptions extends StationOptions {
  key?: string;
  keyBase64?: string;
}

function portArg(value: string): number {
  const n = /^\d+$/.test(value.trim()) ? Number(value) : NaN;
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new FieldlineError('INVALID_ARGUMENT', `--port must be 0 (any free port) to 65535, not "${value}"`);
  return n;
}

function positiveArg(flag: string, max: number) {
  return (value: string): number => {
    const n = /^\d+$/.test(value.trim()) ? Number(value) : NaN;
    if (!Number.isInteger(n) || n < 1 || n > max) throw new FieldlineError('INVALID_ARGUMENT', `${flag} must be 1 to ${max}, not "${value}"`);
    return n;
  };
}

/**
 * Where the registry keeps its data: --database (PostgreSQL), else --db (SQLite), else FIELDLINE_REGISTRY_DB (either,
 * told apart by its postgres:// scheme), else registry.db in the current folder — so `registry serve` alone works.
 */
export function registryStorage(opts: DbOptions, env: NodeJS.ProcessEnv = process.env): RegistryStorage {
  if (opts.database !== undefined && opts.db !== undefined) throw new FieldlineError('INVALID_ARGUMENT', 'give either --database URL (PostgreSQL) or --db FILE (SQLite), not both');
  if (opts.database !== undefined) return { database: checkPostgresUrl(opts.database) };
  if (opts.db !== undefined) return { dbFile: fileOf(opts.db, '--db') };
  const fromEnv = env[REGISTRY_DB_VARIABLE]?.trim();
  if (fromEnv) return isPostgresUrl(fromEnv) ? { database: checkPostgresUrl(fromEnv) } : { dbFile: fileOf(fromEnv, REGISTRY_DB_VARIABLE) };
  return { dbFile: resolve(DEFAULT_REGISTRY_DB) };
}

/** A SQLite file; a URL of another kind is refused (shown without its password) rather than made a folder path. */
function fileOf(value: string, from: string): string {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) {
    throw new FieldlineError('INVALID_ARGUMENT', `${from} is a SQLite file or a postgres:// URL, not ${JSON.stringify(redactDatabaseUrl(value))}`);
  }
  return resolve(value);
}

/** The storage as an operator may see it: a file path, or the URL without its password. */
function storageName(storage: RegistryStorage): string {
  return storage.database !== undefined ? redactDatabaseUrl(storage.database) : storage.dbFile;
}

async function withRepository<T>(opts: DbOptions, fn: (repository: RegistryRepository) => Promise<T>): Promise<T> {
  const storage = registryStorage(opts);
  // One command, one statement at a time: two connections are plenty.
  const repository = await openRegistryRepository(storage.database !== undefined ? { database: storage.database, postgres: { maxConnections: 2 } } : storage);
  try {
    return await fn(repository);
  } finally {
    await repository.close();
  }
}

/** Request lines with -v; warnings and errors (a 500, a bug) always, on stderr, so stdout keeps only the url. */
function serverLogger(verbose: boolean): Logger {
  return createLogger(
    'registry',
    (r) => process.stderr.write(`${r.level} ${r.scope}: ${r.message}${r.fields ? ' ' + JSON.stringify(r.fields) : ''}\n`),
    verbose ? 'debug' : 'warn',
  );
}

/**
 * Resolves on the first SIGINT or SIGTERM; a second one exits at once. Unlike `sim`, the registry does not stop
 * when its parent exits: it is a service, and `nohup fieldline registry serve &` must outlive the shell.
 */
function untilSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolveStop) => {
    const signals = ['SIGINT', 'SIGTERM'] as const;
    const onSignal = (signal: NodeJS.Signals): void => {
      for (const sig of signals) {
        process.removeListener(sig, onSignal);
        process.once(sig, () => process.exit(sig === 'SIGINT' ? 130 : 143));
      }
      resolveStop(signal);
    };
    for (const sig of signals) process.on(sig, onSignal);
  });
}

async function serve(opts: ServeOptions): Promise<void> {
  const logger = serverLogger(opts.verbose === true);
  // Listen for signals before starting, so one during start-up still stops cleanly.
  const stopped = untilSignal();
  const storage = registryStorage(opts);
  const registry = await startRegistry({
    ...(storage.database !== undefined ? { database: storage.database, postgres: { maxConnections: opts.maxConnections, statementTimeoutMs: opts.statementTimeout } } : storage),
    port: opts.port,
    host: opts.host,
    logger,
  });
  if (!['127.0.0.1', '::1', 'localhost'].includes(opts.host)) {
    process.stderr.write(`fieldline registry: serving plain HTTP on ${opts.host}; put a TLS proxy in front before exposing it beyond this machine\n`);
  }
  const where = storageName(storage);
  const shown = storage.database !== undefined ? { engine: 'postgres', database: where } : { engine: 'sqlite', db: where };
  print(opts, { url: registry.url, port: registry.port, ...shown }, () => `registry listening on ${registry.url} (database ${where}). Ctrl+C stops.`);
  const signal = await stopped;
  logger.info('stopping', { signal });
  await registry.close();
  process.exitCode = 0;
}

function readKey(opts: AddKeyOptions): string {
  if ((opts.key === undefined) === (opts.keyBase64 === undefined)) {
    throw new FieldlineError('INVALID_ARGUMENT', 'give the key either as --key FILE.pub.pem or as --key-base64 SPKI (one of them)');
  }
  if (opts.keyBase64 !== undefined) return opts.keyBase64;
  const file = resolve(opts.key as string);
  let pem: string;
  try {
    pem = readFileSync(file, 'utf8');
  } catch (err) {
    throw new FieldlineError('FILE_NOT_FOUND', `${file}: ${(err as Error).message}`);
  }
  return publicKeyFromPem(pem);
}

export function registerRegistryCommands(program: Command): Command {
  const registry = program.command('registry').description('the device registry: run the reference registry, issue station tokens, register keys');
  const dbOption = (cmd: Command): Command =>
    cmd
      .option('--db <file>', `the registry database as a SQLite file, created if missing (default: ${DEFAULT_REGISTRY_DB}, or $${REGISTRY_DB_VARIABLE})`)
      .option('--database <url>', `the registry database on PostgreSQL: postgres://user:password@host:port/database (or $${REGISTRY_DB_VARIABLE})`)
      .option('--json', 'print JSON');

  dbOption(
    registry
      .command('serve')
      .description('run the reference registry until SIGINT/SIGTERM (plain HTTP, loopback by default)')
      .option('--port <n>', 'TCP port (0 = any free port)', portArg, DEFAULT_REGISTRY_PORT)
      .option('--host <address>', 'address to listen on', '127.0.0.1')
      .option('--max-connections <n>', 'PostgreSQL connections this process opens at most', positiveArg('--max-connections', 1000), 10)
      .option('--statement-timeout <ms>', 'PostgreSQL: a statement running longer is cancelled (the request answers 503)', positiveArg('--statement-timeout', 3_600_000), 15_000)
      .option('-v, --verbose', 'log every request to stderr'),
  ).action(serve);

  const token = registry.command('token').description('station tokens');
  dbOption(
    token
      .command('create')
      .description("make a new bearer token for a station (shown once, on the last line; the registry keeps only its hash)")
      .requiredOption('--station <name>', 'station the token belongs to (created if new)'),
  ).action(async (opts: StationOptions) => {
    const value = await withRepository(opts, (repository) => issueToken(repository, opts.station));
    print(opts, { station: opts.station, token: value }, () => `token for station "${opts.station}" (shown once: store it now)\n${value}`);
  });

  const station = registry.command('station').description('stations known to the registry');
  dbOption(
    station
      .command('add-key')
      .description("register an offline station's bundle key (Ed25519 public key) so the registry accepts its bundles")
      .requiredOption('--station <name>', 'station that owns the key (created if new)')
      .option('--key <file>', 'public key in PEM (FILE.pub.pem)')
      .option('--key-base64 <spki>', 'public key as SPKI DER in base64'),
  ).action(async (opts: AddKeyOptions) => {
    const key = readKey(opts);
    const result = await withRepository(opts, (repository) => registerKeyIn(repository, opts.station, key));
    if ('conflict' in result) throw new FieldlineError('INVALID_ARGUMENT', `this key is already registered to station "${result.conflict}"`);
    print(opts, result, () => `key ${result.keyId} registered for station "${result.station}"`);
  });

  return registry;
}
