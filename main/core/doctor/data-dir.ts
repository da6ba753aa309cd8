/**
 * The data directory: room for the store, the CA and the run files, and writable at all. A run that cannot write its
 * record is stopped and rolled back (a full disk is exit 2), so the doctor names the folder first.
 */
import { fail, pass, warn, type CheckDefinition } from './check';
import type { DataDirProbes } from './probes';

const MIB = 1024 * 1024;
/** Below this a run's records, firmware copies and the store's WAL may not fit. */
export const DISK_FAIL_BYTES = 100 * MIB;
/** Below this a day's line (thousands of runs, their files and logs) may not fit. */
export const DISK_WARN_BYTES = 1024 * MIB;

const MOVE = 'or use a folder on another disk: --data-dir <folder> or FIELDLINE_DATA_DIR=<folder>';

function size(bytes: number): string {
  return bytes >= 1024 * MIB ? `${(bytes / 1024 / MIB).toFixed(1)} GiB` : `${(bytes / MIB).toFixed(1)} MiB`;
}

const WRITE_ERRORS: Record<string, { found: string; fix: string }> = {
  EROFS: { found: 'is on a read-only file system', fix: `remount it read-write (sudo mount -o remount,rw <mount point>), ${MOVE}` },
  ENOSPC: { found: 'is on a full disk', fix: `free space on that disk, ${MOVE}` },
  EDQUOT: { found: 'is over the disk quota', fix: `free space within your quota, ${MOVE}` },
  EACCES: { found: 'is not writable by this user', fix: `give this user write access (sudo chown -R "$USER" <folder>), ${MOVE}` },
  EPERM: { found: 'is not writable by this user', fix: `give this user write access (sudo chown -R "$USER" <folder>), ${MOVE}` },
  ENOENT: { found: 'does not exist', fix: `create it (mkdir -p <folder>), ${MOVE}` },
  ENOTDIR: { found: 'is not a folder', fix: MOVE.replace(/^or /, '') },
};

export function dataDirChecks(probes: DataDirProbes): CheckDefinition[] {
  const dir = probes.dataDir;
  return [
    {
      id: 'data.writable',
      title: 'Data directory writable',
      async run() {
        try {
          await probes.writeTest(dir);
          return pass(`${dir} is writable`);
        } catch (err) {
          const code = (err as NodeJS.ErrnoException).code ?? '';
          const known = WRITE_ERRORS[code];
          const fix = (known?.fix ?? MOVE.replace(/^or /, '')).replace(/<folder>/g, dir);
          return fail(`${dir} ${known?.found ?? `cannot be written (${(err as Error).message})`}`, fix);
        }
      },
    },
    {
      id: 'data.disk',
      title: 'Free disk space for the data directory',
      async run() {
        const { freeBytes, totalBytes } = await probes.diskSpace(dir);
        const found = `${size(freeBytes)} free of ${size(totalBytes)} on the disk of ${dir}`;
        if (freeBytes < DISK_FAIL_BYTES) return fail(`${found}: runs stop when their records cannot be written`, `free space on that disk (at least ${size(DISK_WARN_BYTES)}), ${MOVE}`);
        if (freeBytes < DISK_WARN_BYTES) return warn(`${found}: a day on the line may not fit`, `free space on that disk (at least ${size(DISK_WARN_BYTES)}), ${MOVE}`);
        return pass(found);
      },
    },
  ];
}
