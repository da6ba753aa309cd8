/**
 * A throwaway PostgreSQL for tests: Debian's `postgresql` binaries, a cluster in a temporary folder on a free
 * loopback port (its socket in that folder too), one database per test file so files running in parallel never
 * share tables. When FIELDLINE_TEST_PG_URL names a server (CI may start one), databases are made there instead.
 *
 * initdb refuses to run as root, so as root every server command runs as the `postgres` user (runuser) in a
 * folder that user owns; as anyone else, as that user. The cluster is stopped by stop(), and — should a test file
 * fail before its afterAll — by an exit hook, so no postmaster outlives its test process.
 */
import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';

const run = promisify(execFile);

/** The variable naming an existing server to make test databases on (a superuser URL, any database). */
export const TEST_PG_URL_VARIABLE = 'FIELDLINE_TEST_PG_URL';
const SUPERUSER = 'fieldline';

/** The folder of initdb/pg_ctl, newest version first; undefined when Debian's postgresql is not installed. */
export function postgresBinDir(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root)
    .filter((v) => /^\d+$/.test(v) && existsSync(join(root, v, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] === undefined ? undefined : join(root, versions[0], 'bin');
}

const isRoot = (): boolean => process.getuid?.() === 0;

function postgresUserIds(): { uid: number; gid: number } | undefined {
  try {
    const [uid, gid] = ['-u', '-g'].map((flag) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim()));
    return uid !== undefined && gid !== undefined && Number.isInteger(uid) && Number.isInteger(gid) ? { uid, gid } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Why the PostgreSQL suite cannot run here, or undefined when it can (a server is named, or one can be started).
 * A test file passes this to `describe.skipIf` and prints it, so a skipped suite always says why.
 */
export function postgresUnavailable(): string | undefined {
  if (process.env[TEST_PG_URL_VARIABLE]) return undefined;
  if (postgresBinDir() === undefined) {
    return `no PostgreSQL: ${TEST_PG_URL_VARIABLE} is not set and Debian's postgresql is not installed (/usr/lib/postgresql/*/bin/initdb); .ci/run installs it`;
  }
  if (isRoot() && postgresUserIds() === undefined) return 'no PostgreSQL: running as root, and there is no postgres user for initdb to run as';
  return undefined;
}

/** Runs a server binary as the user that owns the cluster. */
function serverCommand(bin: string, args: string[]): [string, string[]] {
  return isRoot() ? ['runuser', ['-u', 'postgres', '--', bin, ...args]] : [bin, args];
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (address && typeof address === 'object' ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

export interface TestPostgresServer {
  /** Superuser URL of the server's `postgres` database. */
  adminUrl: string;
  /** Milliseconds from initdb to accepting connections (0 for a server named by the environment). */
  startupMs: number;
  stop(): Promise<void>;
}

/** initdb + pg_ctl start; a port someone else took between choosing and starting is retried with another. */
export async function startPostgresServer(): Promise<TestPostgresServer> {
  const bin = postgresBinDir();
  if (bin === undefined) throw new Error(postgresUnavailable() ?? 'no PostgreSQL binaries');
  const started = performance.now();
  const dir = mkdtempSync(join(tmpdir(), 'fieldline-pg-'));
  const data = join(dir, 'data');
  const cleanUp = (): void => rmSync(dir, { recursive: true, force: true });
  const pgCtl = join(bin, 'pg_ctl');
  let running = false;
  // From here on, a test process that ends — however it ends, short of a kill — takes the cluster with it.
  const stopNow = (): void => {
    if (running) {
      const [cmd, args] = serverCommand(pgCtl, ['-D', data, '-m', 'immediate', 'stop']);
      spawnSync(cmd, args, { stdio: 'ignore' });
    }
    cleanUp();
  };
  process.once('exit', stopNow);
  try {
    if (isRoot()) {
      const ids = postgresUserIds();
      if (!ids) throw new Error('no postgres user to run initdb as');
      chownSync(dir, ids.uid, ids.gid);
    }
    const [initdb, initArgs] = serverCommand(join(bin, 'initdb'), ['-D', data, '-A', 'trust', '-U', SUPERUSER, '--no-sync', '-E', 'UTF8', '--locale=C']);
    await run(initdb, initArgs);
  } catch (err) {
    process.removeListener('exit', stopNow);
    cleanUp();
    throw err;
  }
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    // fsync off: a test cluster is thrown away, and fsync is what makes a 2-core CI machine slow.
    const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200`;
    const [cmd, args] = serverCommand(pgCtl, ['-D', data, '-l', join(dir, 'server.log'), '-w', '-t', '30', '-o', options, 'start']);
    running = true;
    try {
      await run(cmd, args);
    } catch (err) {
      if (attempt < 3) continue;
      process.removeListener('exit', stopNow);
      stopNow();
      throw err;
    }
    let stopped = false;
    return {
      adminUrl: `postgres://${SUPERUSER}@127.0.0.1:${port}/postgres`,
      startupMs: Math.round(performance.now() - started),
      stop: async () => {
        if (stopped) return;
        stopped = true;
        process.removeListener('exit', stopNow);
        const [stopCmd, stopArgs] = serverCommand(pgCtl, ['-D', data, '-m', 'fast', '-w', 'stop']);
        await run(stopCmd, stopArgs).catch(() => undefined);
        cleanUp();
      },
    };
  }
}

export interface TestPostgres {
  /** URL of a database of this test file's own. */
  url: string;
  /** Another fresh database on the same server (for a test that needs two registries apart). */
  createDatabase(): Promise<string>;
  startupMs: number;
  /** Drops the databases made here and stops a server started here. */
  close(): Promise<void>;
}

function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

/** A database for one test file: on FIELDLINE_TEST_PG_URL's server when set, otherwise on a server of its own. */
export async function startTestPostgres(): Promise<TestPostgres> {
  const named = process.env[TEST_PG_URL_VARIABLE];
  const server: TestPostgresServer = named ? { adminUrl: named, startupMs: 0, stop: async () => undefined } : await startPostgresServer();
  const made: string[] = [];
  const admin = new pg.Client({ connectionString: server.adminUrl });
  try {
    await admin.connect();
  } catch (err) {
    await server.stop();
    throw err;
  }
  const createDatabase = async (): Promise<string> => {
    // A name of our own making (never input), so it is safe to put in the statement: CREATE DATABASE takes no parameters.
    const name = `fieldline_test_${randomBytes(6).toString('hex')}`;
    await admin.query(`CREATE DATABASE ${name}`);
    made.push(name);
    return withDatabase(server.adminUrl, name);
  };
  let url: string;
  try {
    url = await createDatabase();
  } catch (err) {
    await admin.end();
    await server.stop();
    throw err;
  }
  return {
    url,
    createDatabase,
    startupMs: server.startupMs,
    close: async () => {
      if (named) for (const name of made) await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => undefined);
      await admin.end();
      await server.stop();
    },
  };
}

let shared: { server: Promise<TestPostgres>; users: number } | undefined;

/**
 * A fresh database on this test process's PostgreSQL, started with the first caller and stopped once the last
 * one has released its database, so a test file pays one server start however many registries it makes.
 */
export async function acquireTestDatabase(): Promise<{ url: string; release(): Promise<void> }> {
  const entry = (shared ??= { server: startTestPostgres(), users: 0 });
  entry.users++;
  const release = async (): Promise<void> => {
    if (--entry.users > 0) return;
    if (shared === entry) shared = undefined;
    await (await entry.server).close();
  };
  try {
    return { url: await (await entry.server).createDatabase(), release };
  } catch (err) {
    await release().catch(() => undefined);
    throw err;
  }
}
