/**
 * The well-known directory where virtual gateways are announced: the simulator publishes each one's app-side port
 * here, and the station (main/station/port-watch.ts) and `fieldline batch` watch it, so a station started before the
 * simulator finds gateways as they appear. It is a discovery mechanism, so it lives with the transports, below both
 * the simulator and the station. One symlink per gateway, named after its serial, pointing at the port the app
 * opens. A link exists only while the gateway listens — made after the port is published, removed when it is
 * unplugged or stopped.
 */
import { mkdir, readlink, rename, symlink, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

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
