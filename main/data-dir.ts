/**
 * The data directory, one per user, shared by the desktop app and the CLI (DESIGN.md "Data directory"): the same
 * folder Electron uses as userData, unless `--data-dir` or FIELDLINE_DATA_DIR says otherwise.
 */
import { mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

const PRODUCT = 'Fieldline';

export function defaultDataDir(env: NodeJS.ProcessEnv = process.env, platform = process.platform): string {
  if (platform === 'win32') return join(env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), PRODUCT);
  if (platform === 'darwin') return join(homedir(), 'Library', 'Application Support', PRODUCT);
  return join(env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), PRODUCT);
}

export function resolveDataDir(flag?: string, env: NodeJS.ProcessEnv = process.env): string {
  const dir = resolve(flag ?? env.FIELDLINE_DATA_DIR ?? defaultDataDir(env));
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  return dir;
}
