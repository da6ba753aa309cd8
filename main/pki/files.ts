/**
 * Where the station CA lives under the data directory, and how its files are written: owner-only (0600 files in a
 * 0700 folder, because the folder holds the encrypted CA key and is nobody else's business), and atomically
 * (temp file, fsync, rename) so a power cut on a factory station leaves the old file or the new one, never half.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';

export const CA_DIR = 'ca';

export interface CaPaths {
  dir: string;
  root: string;
  /** The station intermediate first, then any issuers between it and the root (an organisation's chain). */
  intermediate: string;
  /** The sealed intermediate key (a file CA). */
  key: string;
  /** Where to find the intermediate key in a PKCS#11 token (a token CA): module, token, key label and id — no secret. */
  keyRef: string;
  crl: string;
  revoked: string;
}

export function caPaths(dataDir: string, dir = join(dataDir, CA_DIR)): CaPaths {
  return {
    dir,
    root: join(dir, 'root.pem'),
    intermediate: join(dir, 'intermediate.pem'),
    key: join(dir, 'intermediate.key.enc'),
    keyRef: join(dir, 'intermediate.key.pkcs11.json'),
    crl: join(dir, 'intermediate.crl.pem'),
    revoked: join(dir, 'revoked.json'),
  };
}

export const FILE_MODE = 0o600;
export const DIR_MODE = 0o700;

/** Writes `data` to `path` through a temp file beside it; the temp file is created 0600 before any byte lands. */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: DIR_MODE });
  const tmp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  const handle = await open(tmp, 'wx', FILE_MODE);
  try {
    await handle.writeFile(data);
    await handle.sync();
  } catch (err) {
    await handle.close();
    await rm(tmp, { force: true });
    throw err;
  }
  await handle.close();
  await rename(tmp, path);
}
