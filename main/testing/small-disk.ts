/**
 * A small disk for the full-disk tests and the reliability report: a tmpfs of a given size mounted on a fresh
 * folder, which a filler file brings down to an exact number of free kilobytes. Mounting needs root (CI and the
 * development container run as root); elsewhere mountSmallDisk() answers with the reason instead, and the caller
 * skips, saying why.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, statfsSync } from 'node:fs';
import { unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface SmallDisk {
  /** The mount point: an empty folder on the small disk. */
  readonly dir: string;
  /** Kilobytes an unprivileged writer may still use, as `df` shows them. */
  freeKb(): number;
  /** Writes (or rewrites) a filler file so that about `kb` kilobytes stay free. */
  fillTo(kb: number): Promise<void>;
  /** Removes the filler: the disk has its space back. */
  unfill(): Promise<void>;
  /** Unmounts and removes the mount point. Safe to call twice. */
  unmount(): Promise<void>;
}

/** Mounts a tmpfs of `sizeKb`; answers a string (why not) where mounting is not permitted. */
export async function mountSmallDisk(sizeKb: number): Promise<SmallDisk | string> {
  if (process.platform !== 'linux') return `tmpfs mounts need Linux (this is ${process.platform})`;
  if (process.getuid?.() !== 0) return 'mounting a tmpfs needs root (mount -t tmpfs), and this test runs unprivileged';
  const dir = mkdtempSync(join(tmpdir(), 'fieldline-small-disk-'));
  try {
    await run('mount', ['-t', 'tmpfs', '-o', `size=${sizeKb}k,mode=0700`, 'tmpfs', dir]);
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    return `mount -t tmpfs was refused here: ${(err as Error).message.split('\n')[0] ?? ''}`;
  }
  const filler = join(dir, 'filler');
  let mounted = true;
  const freeKb = (): number => {
    const s = statfsSync(dir);
    return Math.floor((s.bavail * s.bsize) / 1024);
  };
  return {
    dir,
    freeKb,
    async fillTo(kb) {
      await unlink(filler).catch(() => {});
      const bytes = (freeKb() - kb) * 1024;
      if (bytes > 0) await writeFile(filler, Buffer.alloc(bytes));
    },
    async unfill() {
      await unlink(filler).catch(() => {});
    },
    async unmount() {
      if (!mounted) return;
      mounted = false;
      // Lazy (-l): a child that still holds a file there must not keep the mount behind.
      await run('umount', ['-l', dir]).catch(() => {});
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
