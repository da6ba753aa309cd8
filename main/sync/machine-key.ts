/**
 * The machine key: 32 random bytes that seal the station's bundle-signing key (station-key.ts). It lives apart from
 * the data directory — in the user's local, per-machine state folder — so that a copy of the data directory (a
 * backup, a support upload, a folder shared between stations) holds only ciphertext. Whoever can read both as this
 * user can still open the key: this guards copies, not a compromised account (docs/sync.md, "The station key").
 *
 * Chosen over the desktop's safeStorage because the CLI, which has no Electron, must open the same key; and over a
 * passphrase because exporting a bundle on an air-gapped line must not wait for someone to type one.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, linkSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, relative, resolve, isAbsolute } from 'node:path';
import { FieldlineError } from '../errors';

export const MACHINE_KEY_FILE = 'machine-key';
const KEY_BYTES = 32;

/**
 * Where the machine key is kept: FIELDLINE_KEY_DIR, else the platform's local (not roaming, not synced) per-user
 * state folder — never under the data directory, which follows the user (Windows' roaming AppData, ~/.config).
 */
export function defaultMachineKeyDir(env: NodeJS.ProcessEnv = process.env, platform = process.platform): string {
  if (env['FIELDLINE_KEY_DIR']) return resolve(env['FIELDLINE_KEY_DIR']);
  if (platform === 'win32') return join(env['LOCALAPPDATA'] ?? join(homedir(), 'AppData', 'Local'), 'Fieldline', 'keys');
  if (platform === 'darwin') return join(homedir(), 'Library', 'Application Support', 'Fieldline Keys');
  return join(env['XDG_STATE_HOME'] ?? join(homedir(), '.local', 'state'), 'fieldline', 'keys');
}

function unavailable(detail: string): FieldlineError {
  return new FieldlineError('STATION_KEY_UNAVAILABLE', detail);
}

/**
 * Creates `file` with `bytes` unless it exists, atomically: written to a temp file first and linked into place, so
 * a process racing this one sees either no file or a complete one, never a half-written one. False when it existed.
 */
export function createFileOnce(file: string, bytes: Uint8Array): boolean {
  const temp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
  const fd = openSync(temp, 'wx', 0o600);
  try {
    writeFileSync(fd, bytes);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    linkSync(temp, file);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  } finally {
    rmSync(temp, { force: true });
  }
}

function readKey(file: string): Buffer | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw unavailable(`cannot read the machine key ${file}: ${(err as Error).message}`);
  }
  const key = Buffer.from(text.trim(), 'base64');
  if (key.length !== KEY_BYTES) throw unavailable(`the machine key ${file} is damaged (not ${KEY_BYTES} bytes)`);
  return key;
}

/**
 * The machine key from `keyDir`, made when `create` allows and there is none. The caller zeroes it after use.
 * `dataDir` is only checked against: a key kept inside the data directory would seal nothing.
 */
export function loadMachineKey(keyDir: string, dataDir: string, create: boolean): Buffer {
  const inside = relative(resolve(dataDir), resolve(keyDir));
  if (inside === '' || (!inside.startsWith('..') && !isAbsolute(inside))) {
    throw unavailable(`the machine key folder ${keyDir} is inside the data directory: choose one apart from it (FIELDLINE_KEY_DIR)`);
  }
  const file = join(keyDir, MACHINE_KEY_FILE);
  const existing = readKey(file);
  if (existing) return existing;
  if (!create) throw unavailable(`no machine key at ${file}: the station key was sealed on another machine or by another user`);
  try {
    mkdirSync(keyDir, { recursive: true, mode: 0o700 });
    createFileOnce(file, Buffer.from(randomBytes(KEY_BYTES).toString('base64') + '\n'));
  } catch (err) {
    throw unavailable(`cannot create the machine key in ${keyDir}: ${(err as Error).message} (FIELDLINE_KEY_DIR chooses another folder)`);
  }
  // Read back: a process that raced this one may have created it first, and its key is the one in use.
  const created = readKey(file);
  if (!created) throw unavailable(`the machine key ${file} vanished after it was created`);
  return created;
}
