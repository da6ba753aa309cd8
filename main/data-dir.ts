/**
 * The data directory, one per user, shared by the desktop app and the CLI (DESIGN.md "Data directory"): the same
 * folder Electron uses as userData, unless `--data-dir` or FIELDLINE_DATA_DIR says otherwise.
 */
import { mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { FieldlineError, isFieldlineError } from './errors';
import { storeError } from './shared/sqlite';
import { STORE_FILE } from './store/file';

const PRODUCT = 'Fieldline';

export function defaultDataDir(env: NodeJS.ProcessEnv = process.env, platform = process.platform): string {
  if (platform === 'win32') return join(env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), PRODUCT);
  if (platform === 'darwin') return join(homedir(), 'Library', 'Application Support', PRODUCT);
  return join(env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), PRODUCT);
}

/** Where the data directory is: the flag, else FIELDLINE_DATA_DIR, else the per-user folder; nothing is created. */
export function dataDirPath(flag?: string, env: NodeJS.ProcessEnv = process.env): string {
  return resolve(flag ?? env.FIELDLINE_DATA_DIR ?? defaultDataDir(env));
}

/**
 * The data directory, created (owner-only) if it does not exist yet. A folder that cannot be created is an
 * environment problem in the technician's words — a file in the way is INVALID_ARGUMENT, a full disk
 * STORE_DISK_FULL, a read-only or foreign place STORE_UNAVAILABLE — never a stack trace.
 */
export function resolveDataDir(flag?: string, env: NodeJS.ProcessEnv = process.env): string {
  const dir = dataDirPath(flag, env);
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST' || code === 'ENOTDIR') {
      throw new FieldlineError('INVALID_ARGUMENT', `the data directory ${dir} is not a directory`, {}, { cause: err });
    }
    const converted = storeError(err, join(dir, STORE_FILE));
    if (isFieldlineError(converted)) throw converted;
    throw new FieldlineError('STORE_UNAVAILABLE', `cannot create the data directory ${dir}: ${(err as Error).message}`, {}, { cause: err });
  }
  return dir;
}
