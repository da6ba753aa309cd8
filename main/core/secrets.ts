/**
 * Where the app keeps its few secrets (the registry token; the CA passphrase when the technician asks to be
 * remembered). On the desktop it is Electron's safeStorage (main/electron/secrets.ts: encrypted with a key the OS
 * keeps); in station mode and the CLI a file per secret in the data directory, readable by its owner only — the
 * same `registry-token` file `fieldline registry login` writes, so the CLI and the station share the token.
 */
import { chmod, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export const SECRET_NAMES = ['registry-token', 'ca-passphrase'] as const;
export type SecretName = (typeof SECRET_NAMES)[number];

export interface SecretStore {
  /**
   * True when values are encrypted at rest with a key that is not beside them (safeStorage with an OS keyring).
   * The CA passphrase is remembered only in such a store: written in plain text beside the encrypted CA key, it
   * would undo that encryption.
   */
  readonly encrypted: boolean;
  get(name: SecretName): Promise<string | undefined>;
  set(name: SecretName, value: string): Promise<void>;
  delete(name: SecretName): Promise<void>;
}

/** Writes `text` to `file` atomically (temp file, then rename) with owner-only permissions. */
export async function writePrivateFile(file: string, text: string | Uint8Array): Promise<void> {
  const temp = `${file}.tmp-${process.pid}-${Date.now()}`;
  await writeFile(temp, text, { mode: 0o600 });
  // The mode given to writeFile is filtered by the umask and ignored for an existing file: set it explicitly.
  if (process.platform !== 'win32') await chmod(temp, 0o600);
  await rename(temp, file);
}

async function readIfExists(file: string): Promise<Buffer | undefined> {
  try {
    return await readFile(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/** One owner-only file per secret, `<dir>/<name>`, value plus a newline (as `fieldline registry login` writes it). */
export function createFileSecretStore(dir: string): SecretStore {
  return {
    encrypted: false,
    async get(name) {
      const bytes = await readIfExists(join(dir, name));
      const value = bytes?.toString('utf8').trim();
      return value ? value : undefined;
    },
    async set(name, value) {
      await writePrivateFile(join(dir, name), `${value}\n`);
    },
    async delete(name) {
      await rm(join(dir, name), { force: true });
    },
  };
}

/** An encrypt/decrypt pair (Electron's safeStorage has this shape), for an encrypted store in files. */
export interface StringCipher {
  encryptString(plain: string): Buffer;
  decryptString(encrypted: Buffer): string;
}

/**
 * One encrypted file per secret, `<dir>/<name>.enc`. Used by the desktop app with safeStorage; plain Node can test
 * it with any cipher. `encrypted` says whether the cipher really protects at rest (see SecretStore).
 */
export function createEncryptedSecretStore(dir: string, cipher: StringCipher, encrypted: boolean): SecretStore {
  const file = (name: SecretName): string => join(dir, `${name}.enc`);
  return {
    encrypted,
    async get(name) {
      const bytes = await readIfExists(file(name));
      if (!bytes) return undefined;
      const value = cipher.decryptString(bytes);
      return value === '' ? undefined : value;
    },
    async set(name, value) {
      await writePrivateFile(file(name), cipher.encryptString(value));
    },
    async delete(name) {
      await rm(file(name), { force: true });
    },
  };
}
