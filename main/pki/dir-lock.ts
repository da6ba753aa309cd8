/**
 * A lock between processes on one folder: a `.lock` file created exclusively, holding the owner's pid. The station
 * CA's revocation list is read, changed and written whole; two processes revoking at once (two `fieldline
 * provision` runs repairing at the same moment, a station beside the CLI) would otherwise lose one entry — a
 * certificate the store calls revoked that no CRL lists. A lock left by a process that died is taken over.
 */
import { open, readFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { FieldlineError } from '../errors';

const WAIT_MS = 10_000;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function tryLock(file: string): Promise<boolean> {
  try {
    const handle = await open(file, 'wx', 0o600);
    await handle.writeFile(String(process.pid));
    await handle.close();
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    const owner = Number((await readFile(file, 'utf8').catch(() => '')).trim());
    // An empty file is a lock being written this instant: wait for it like any other.
    if (Number.isInteger(owner) && owner > 0 && !alive(owner)) await unlink(file).catch(() => undefined);
    return false;
  }
}

/** The CA's error for its folder's lock held too long (the default of withDirLock). */
const caLockHeld = (file: string): FieldlineError => new FieldlineError('CA_FILES_INVALID', `${file} is held by another process for more than ${WAIT_MS / 1000} s`, { file });

/**
 * Runs `job` holding `<dir>/.lock`; waits (polling with backoff) up to 10 s for another process to let go, then throws
 * `held(file)` — a folder other than the CA's names its own error.
 */
export async function withDirLock<T>(dir: string, job: () => Promise<T>, held: (file: string) => FieldlineError = caLockHeld): Promise<T> {
  const file = join(dir, '.lock');
  const deadline = Date.now() + WAIT_MS;
  for (let delay = 5; !(await tryLock(file)); delay = Math.min(delay * 2, 100)) {
    if (Date.now() > deadline) throw held(file);
    await new Promise((r) => setTimeout(r, delay));
  }
  try {
    return await job();
  } finally {
    await unlink(file).catch(() => undefined);
  }
}
