/**
 * The well-known directory where virtual gateways are announced: the simulator publishes each one's app-side port
 * here, and the station (main/station/port-watch.ts) and `fieldline batch` watch it, so a station started before the
 * simulator finds gateways as they appear. It is a discovery mechanism, so it lives with the transports, below both
 * the simulator and the station. One symlink per gateway, named after its serial, pointing at the port the app
 * opens. A link exists only while the gateway listens — made after the port is published, removed when it is
 * unplugged or stopped.
 */
import { mkdir, readdir, readlink, rename, symlink, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';

export const PORTS_DIR_ENV = 'FIELDLINE_PORTS_DIR';

/** `$FIELDLINE_PORTS_DIR`, or `<os.tmpdir()>/fieldline-ports`. */
export function defaultPortsDir(env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env[PORTS_DIR_ENV]?.trim();
  return fromEnv ? fromEnv : join(tmpdir(), 'fieldline-ports');
}

/** Makes `<dir>/<serial>` point at `target` (atomically: a hidden temporary link renamed into place). */
export async function publishPortLink(dir: string, serial: string, target: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  const link = join(dir, serial);
  const pending = join(dir, `.${serial}.${process.pid}.pending`);
  await unlink(pending).catch(() => {});
  await symlink(target, pending);
  await rename(pending, link);
  return link;
}

/** Removes `<dir>/<serial>` if it still points at `target` (another simulator may have published the serial since). */
export async function unpublishPortLink(dir: string, serial: string, target: string): Promise<void> {
  const link = join(dir, serial);
  const current = await readlink(link).catch(() => undefined);
  if (current === target) await unlink(link).catch(() => {});
}

/** At most this many announced gateways are read from the directory per look (a station's hub has far fewer). */
export const PORTS_DIR_MAX_ENTRIES = 1024;

/**
 * The gateways announced in `dir` now: serial (the link's name) and the port its link points at (made absolute).
 * A missing directory is none; pending links (`.<serial>.<pid>.pending`) and entries that are not links are skipped.
 */
export async function readPortLinks(dir: string): Promise<Array<{ serial: string; port: string }>> {
  const names = await readdir(dir).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT' || err.code === 'ENOTDIR') return [] as string[];
    throw err;
  });
  const found: Array<{ serial: string; port: string }> = [];
  for (const name of names.filter((n) => !n.startsWith('.')).slice(0, PORTS_DIR_MAX_ENTRIES)) {
    const target = await readlink(join(dir, name)).catch(() => undefined);
    if (target !== undefined) found.push({ serial: name, port: isAbsolute(target) ? target : resolve(dir, target) });
  }
  return found;
}
