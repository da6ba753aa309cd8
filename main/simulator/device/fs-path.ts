/**
 * Maps a device path ("/lfs/certs/device.crt") onto the host folder that stands for the LittleFS volume. Names come
 * from the wire, so anything that could step outside that folder is refused before a host path is built, and the
 * result is checked again after resolution.
 */
import { realpath } from 'node:fs/promises';
import { dirname, relative, resolve, sep, isAbsolute } from 'node:path';

export const MOUNT_POINT = '/lfs';
/** CONFIG_MCUMGR_GRP_FS_PATH_LEN: longer names are refused with EINVAL before the file system sees them. */
export const FS_PATH_MAX = 64;

export type FsPath =
  | { ok: true; device: string; host: string }
  | { ok: false; error: 'FILE_INVALID_NAME' | 'MOUNT_POINT_NOT_FOUND' | 'TOO_LONG' };

export function resolveFsPath(root: string, name: string): FsPath {
  if (Buffer.byteLength(name, 'utf8') > FS_PATH_MAX) return { ok: false, error: 'TOO_LONG' };
  // NUL would end the C string early; a backslash is a separator on Windows hosts; control bytes have no business here.
  if (!name.startsWith('/') || name.includes('\\') || [...name].some((c) => c.charCodeAt(0) < 0x20 || c === '\u007f')) {
    return { ok: false, error: 'FILE_INVALID_NAME' };
  }
  const segments = name.slice(1).split('/');
  if (segments.some((s) => s === '' || s === '.' || s === '..')) return { ok: false, error: 'FILE_INVALID_NAME' };
  if (segments[0] !== MOUNT_POINT.slice(1)) return { ok: false, error: 'MOUNT_POINT_NOT_FOUND' };
  const rest = segments.slice(1);
  const host = resolve(root, ...rest);
  const rel = relative(resolve(root), host);
  if (rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel)) return { ok: false, error: 'FILE_INVALID_NAME' };
  return { ok: true, device: name, host };
}

/**
 * True when `host` (or, if it does not exist yet, the folder that will hold it) really lies inside `root`: no
 * symlink on the way leads out of the volume.
 */
export async function insideRoot(root: string, host: string): Promise<boolean> {
  const realRoot = await realpath(root);
  for (const candidate of [host, dirname(host)]) {
    try {
      const real = await realpath(candidate);
      return real === realRoot || real.startsWith(realRoot + sep);
    } catch {
      // Does not exist: try its folder; a missing folder cannot lead anywhere.
    }
  }
  return true;
}

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** IEEE CRC-32 (zlib's), what Zephyr's fs_mgmt "crc32" type computes. */
export function crc32(data: Uint8Array): number {
  let c = 0xffffffff;
  for (const byte of data) c = (CRC_TABLE[(c ^ byte) & 0xff] as number) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
