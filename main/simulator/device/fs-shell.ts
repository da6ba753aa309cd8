/**
 * The file-system shell (Zephyr subsys/fs/shell.c, CONFIG_FILE_SYSTEM_SHELL): `fs ls [PATH]` and `fs rm PATH`, with
 * the words and return codes the real commands print. It matters because SMP's FS group can write and read files but
 * has no delete: on a real gateway `fs rm` over the shell group is the only way to remove a file.
 */
import { readdir, rm, rmdir, stat } from 'node:fs/promises';
import type { DeviceContext } from './context';
import { isErrno } from './files';
import { insideRoot, MOUNT_POINT, resolveFsPath } from './fs-path';
import { ERRNO, type ShellCommand, type ShellResult } from './shell-types';

/** Zephyr errno values fs_opendir / fs_unlink return, printed negated. */
const FS_ERRNO = { ENOENT: 2, EINVAL: 22, ENOTEMPTY: 90 } as const;

/** create_abs_path: a name without a leading slash is taken from the shell's working folder, "/" here. */
function absolute(name: string): string {
  return name.startsWith('/') ? name : `/${name}`;
}

/** The host path for a device path, or the errno the file system would answer with. */
async function hostPath(ctx: DeviceContext, path: string): Promise<string | number> {
  const p = resolveFsPath(ctx.state.fsRoot, path);
  if (!p.ok) return p.error === 'MOUNT_POINT_NOT_FOUND' ? -FS_ERRNO.ENOENT : -FS_ERRNO.EINVAL;
  if (!(await insideRoot(ctx.state.fsRoot, p.host))) return -FS_ERRNO.EINVAL;
  return p.host;
}

/** An errno from a host call, as LittleFS would return it. */
function fsErrno(e: unknown): number {
  if (isErrno(e, 'ENOENT') || isErrno(e, 'ENOTDIR')) return -FS_ERRNO.ENOENT;
  if (isErrno(e, 'ENOTEMPTY')) return -FS_ERRNO.ENOTEMPTY;
  throw e;
}

async function list(ctx: DeviceContext, args: string[]): Promise<ShellResult> {
  const path = absolute(args[0] ?? '/');
  const failed = (code: number): ShellResult => ({ out: `Unable to open ${path} (err ${code})\n`, ret: -ERRNO.ENOEXEC });
  // The root folder of Zephyr's VFS lists the mount points.
  if (path === '/') return { out: `${MOUNT_POINT.slice(1)}/\n`, ret: 0 };
  const host = await hostPath(ctx, path.replace(/\/+$/, ''));
  if (typeof host === 'number') return failed(host);
  try {
    const entries = await readdir(host, { withFileTypes: true });
    // LittleFS returns entries in name order; the temporary files of atomic host writes are not the device's.
    const names = entries.filter((e) => !e.name.endsWith('.tmp')).map((e) => `${e.name}${e.isDirectory() ? '/' : ''}`);
    return { out: names.sort().map((n) => `${n}\n`).join(''), ret: 0 };
  } catch (e) {
    return failed(fsErrno(e));
  }
}

async function remove(ctx: DeviceContext, args: string[]): Promise<ShellResult> {
  const path = absolute(args[0] as string);
  const failed = (code: number): ShellResult => ({ out: `Failed to remove ${path} (${code})\n`, ret: -ERRNO.ENOEXEC });
  const host = await hostPath(ctx, path);
  if (typeof host === 'number') return failed(host);
  try {
    // fs_unlink removes a file or an empty folder.
    if ((await stat(host)).isDirectory()) await rmdir(host);
    else await rm(host);
  } catch (e) {
    return failed(fsErrno(e));
  }
  return { out: '', ret: 0 };
}

export function fsShellCommand(ctx: DeviceContext): ShellCommand {
  return {
    name: 'fs',
    help: 'File system commands',
    subcommands: [
      { name: 'ls', help: 'List files in current directory', maxArgs: 1, run: (args) => list(ctx, args) },
      { name: 'rm', help: 'Remove file', minArgs: 1, maxArgs: 1, run: (args) => remove(ctx, args) },
    ],
  };
}
