/**
 * File system group (8), after Zephyr's fs_mgmt.c over a LittleFS volume mounted at /lfs: download/upload (0),
 * status (1), hash/checksum (2), supported types (3), close (4). Like Zephyr it keeps one transfer context in RAM;
 * an upload that resumes without it continues from the file's current size.
 */
import { createHash } from 'node:crypto';
import { open, readFile, stat, truncate, writeFile, type FileHandle } from 'node:fs/promises';
import { encodeCbor } from '../../smp/cbor';
import { GROUP } from '../../smp/error-codes';
import type { Body, SimReply } from '../handler';
import type { DeviceContext } from './context';
import { isErrno } from './files';
import { crc32, insideRoot, resolveFsPath } from './fs-path';
import { defineGroup, groupErrors, ok, optBytes, optText, optUint, smpError, text, uint, type DeviceGroupHandler } from './request';

const err = groupErrors(GROUP.FS);

interface Transfer {
  kind: 'upload' | 'download';
  device: string;
  host: string;
  off: number;
  len: number;
}

type Resolved = { host: string; device: string } | SimReply;

function isReply(r: Resolved): r is SimReply {
  return 'kind' in r;
}

async function resolve(device: DeviceContext, name: string): Promise<Resolved> {
  const p = resolveFsPath(device.state.fsRoot, name);
  if (!p.ok) return p.error === 'TOO_LONG' ? smpError('EINVAL', 'name is longer than the device allows') : err(p.error);
  // The name is clean, but a symlink on the host side could still lead out of the volume.
  if (!(await insideRoot(device.state.fsRoot, p.host))) return err('FILE_INVALID_NAME');
  return { host: p.host, device: p.device };
}

/** fs_mgmt_filelen: the size of a regular file, or the group error Zephyr maps fs_stat's failure to. */
async function fileLength(host: string): Promise<number | SimReply> {
  try {
    const s = await stat(host);
    return s.isFile() ? s.size : err('FILE_IS_DIRECTORY');
  } catch (e) {
    if (isErrno(e, 'ENOENT') || isErrno(e, 'ENOTDIR')) return err('FILE_NOT_FOUND');
    throw e;
  }
}

/**
 * The most file bytes a download reply can carry so that the reply packet (8-byte header + CBOR) fits the SMP buffer
 * less the 4 bytes the serial length prefix and CRC take from it. 3 spare bytes cover the byte string's length head
 * growing to 3 bytes and an indefinite-length map's break.
 */
export function downloadChunkSize(bufSize: number, off: number, fileLen: number): number {
  const overhead = encodeCbor({ off, data: new Uint8Array(0), ...(off === 0 ? { len: fileLen } : {}) }).length + 3;
  return Math.max(1, bufSize - 4 - 8 - overhead);
}

const HASHES = {
  crc32: { format: 0, size: 4, run: (d: Uint8Array) => crc32(d) },
  sha256: { format: 1, size: 32, run: (d: Uint8Array) => new Uint8Array(createHash('sha256').update(d).digest()) },
} as const;

export function createFsGroup(device: DeviceContext): DeviceGroupHandler {
  let transfer: Transfer | undefined;

  async function download(body: Body): Promise<SimReply> {
    const off = uint(body, 'off');
    const where = await resolve(device, text(body, 'name'));
    if (isReply(where)) return where;
    if (transfer?.kind !== 'download' || transfer.device !== where.device) transfer = undefined;
    if (!transfer) {
      const len = await fileLength(where.host);
      if (typeof len !== 'number') return len;
      transfer = { kind: 'download', ...where, off: 0, len };
    }
    const size = downloadChunkSize(device.config.bufSize, off, transfer.len);
    let handle: FileHandle | undefined;
    let data: Uint8Array;
    try {
      handle = await open(transfer.host, 'r');
      const buf = new Uint8Array(size);
      // LittleFS lets a read start past the end; it just returns nothing.
      const { bytesRead } = await handle.read(buf, 0, size, off);
      data = buf.subarray(0, bytesRead);
    } catch (e) {
      transfer = undefined;
      if (isErrno(e, 'ENOENT')) return err('FILE_NOT_FOUND');
      throw e;
    } finally {
      await handle?.close();
    }
    device.stats.flash.reads++;
    const reply: Body = { off, data, ...(off === 0 ? { len: transfer.len } : {}) };
    transfer.off = off + data.length;
    if (transfer.off >= transfer.len) transfer = undefined;
    return ok(reply);
  }

  async function upload(body: Body): Promise<SimReply> {
    const off = uint(body, 'off');
    const name = text(body, 'name');
    const data = optBytes(body, 'data') ?? new Uint8Array(0);
    const len = optUint(body, 'len');
    if (off === 0 && len === undefined) return smpError('EINVAL', 'len is required with off 0');
    const where = await resolve(device, name);
    if (isReply(where)) return where;
    if (transfer?.kind !== 'upload' || transfer.device !== where.device) transfer = undefined;
    if (!transfer) {
      const opened = await createIfMissing(where.host);
      if (opened) return opened;
      transfer = { kind: 'upload', ...where, off: 0, len: 0 };
    }
    let existing = 0;
    if (off === 0) {
      transfer.len = len ?? 0;
      const size = await fileLength(where.host);
      if (typeof size !== 'number') return cleanup(size);
      existing = size;
    } else if (transfer.off === 0) {
      const size = await fileLength(where.host);
      if (typeof size !== 'number') return cleanup(size);
      transfer.off = size;
    }
    if (off > 0 && off !== transfer.off) return cleanup(err('FILE_OFFSET_NOT_VALID', { len: transfer.off }));
    if (data.length > 0) {
      if (off === 0 && existing !== 0) await truncate(where.host, 0);
      await device.flashWrite(data.length);
      await writeFile(where.host, data, { flag: 'a' });
      transfer.off += data.length;
    }
    const reply = ok({ off: transfer.off });
    if (transfer.len > 0 && transfer.off >= transfer.len) transfer = undefined;
    return reply;
  }

  function cleanup(reply: SimReply): SimReply {
    transfer = undefined;
    return reply;
  }

  /** fs_open(FS_O_CREATE | FS_O_WRITE); Zephyr maps -ENOENT (no such folder) to MOUNT_POINT_NOT_FOUND. */
  async function createIfMissing(host: string): Promise<SimReply | undefined> {
    try {
      await writeFile(host, new Uint8Array(0), { flag: 'a' });
      return undefined;
    } catch (e) {
      if (isErrno(e, 'ENOENT') || isErrno(e, 'ENOTDIR')) return err('MOUNT_POINT_NOT_FOUND');
      // Zephyr answers UNKNOWN for opening a folder; naming it is kinder and changes nothing for a client.
      if (isErrno(e, 'EISDIR')) return err('FILE_IS_DIRECTORY');
      throw e;
    }
  }

  async function status(body: Body): Promise<SimReply> {
    const where = await resolve(device, text(body, 'name'));
    if (isReply(where)) return where;
    const len = await fileLength(where.host);
    return typeof len === 'number' ? ok({ len }) : len;
  }

  async function hash(body: Body): Promise<SimReply> {
    const type = optText(body, 'type') ?? 'crc32';
    const name = text(body, 'name');
    const off = optUint(body, 'off') ?? 0;
    const len = optUint(body, 'len');
    if (len === 0) return smpError('EINVAL', 'len must not be 0');
    const algo = type === 'crc32' || type === 'sha256' ? HASHES[type] : undefined;
    if (!algo) return err('CHECKSUM_HASH_NOT_FOUND');
    const where = await resolve(device, name);
    if (isReply(where)) return where;
    const size = await fileLength(where.host);
    if (typeof size !== 'number') return size;
    if (size <= off) return err(size === 0 ? 'FILE_EMPTY' : 'FILE_OFFSET_LARGER_THAN_FILE');
    const content = await readFile(where.host);
    const window = new Uint8Array(content).subarray(off, len === undefined ? undefined : off + len);
    device.stats.flash.reads++;
    return ok({ type, ...(off !== 0 ? { off } : {}), len: window.length, output: algo.run(window) });
  }

  return defineGroup({
    group: GROUP.FS,
    name: 'fs mgmt',
    commands: {
      0: { read: ({ body }) => download(body), write: ({ body }) => upload(body) },
      1: { read: ({ body }) => status(body) },
      2: { read: ({ body }) => hash(body) },
      3: {
        read: () =>
          ok({ types: Object.fromEntries(Object.entries(HASHES).map(([n, h]) => [n, { format: h.format, size: h.size }])) }),
      },
      4: { write: () => cleanup(ok()) },
    },
    onBoot: () => {
      transfer = undefined;
    },
  });
}
