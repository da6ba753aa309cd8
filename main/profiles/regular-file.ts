/**
 * Reading a file named by untrusted input: only a regular file, never more than a cap. The kind and size are
 * checked on the path first — opening a device can have effects of its own (a serial port resets its board) and
 * opening a FIFO waits for a writer — and again on the opened descriptor, which is what is actually read, so a file
 * swapped in between is refused too. The descriptor is opened non-blocking for the same FIFO reason. Symlinks are
 * followed: what counts is the file they lead to, which must be regular (the station's profile folder has its own
 * rule against links out of it, main/core/profiles.ts). Reading stops at the size the descriptor reported, so a
 * file that grows while it is read (a log, a FIFO's writer) adds nothing.
 */
import { createHash } from 'node:crypto';
import { closeSync, constants, fstatSync, openSync, readSync, statSync, type Stats } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { FieldlineError } from '../errors';

export interface FileCap {
  /** Largest size accepted, in bytes. */
  maxBytes: number;
  /** What the file is, for messages: "profile", "firmware image". */
  what: string;
}

// O_NONBLOCK: open() on a FIFO returns at once instead of waiting for a writer; O_NOCTTY: a terminal named here
// never becomes our controlling terminal. Both are 0 (absent) on Windows, where neither risk exists.
const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0) | (constants.O_NOCTTY ?? 0);
const CHUNK = 64 * 1024;

function kindOf(info: Stats): string {
  if (info.isDirectory()) return 'a directory';
  if (info.isCharacterDevice()) return 'a character device';
  if (info.isBlockDevice()) return 'a block device';
  if (info.isFIFO()) return 'a FIFO (named pipe)';
  if (info.isSocket()) return 'a socket';
  return 'not a regular file';
}

export function formatSize(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${Number((bytes / 1024 / 1024).toFixed(1))} MiB`;
  if (bytes >= 1024) return `${Number((bytes / 1024).toFixed(1))} KiB`;
  return `${bytes} bytes`;
}

/** The regular file's size, or the refusal: not regular, or over the cap. */
function checked(path: string, info: Stats, cap: FileCap): number {
  if (!info.isFile()) throw new FieldlineError('FILE_NOT_REGULAR', `${cap.what} ${path} is ${kindOf(info)}, not a regular file`);
  if (info.size > cap.maxBytes) {
    throw new FieldlineError('FILE_TOO_LARGE', `${cap.what} ${path} is ${formatSize(info.size)}; at most ${formatSize(cap.maxBytes)} is read`);
  }
  return info.size;
}

function sameFile(a: Stats, b: Stats): boolean {
  return a.dev === b.dev && a.ino === b.ino;
}

function changed(path: string, cap: FileCap): FieldlineError {
  return new FieldlineError('FILE_NOT_REGULAR', `${cap.what} ${path} was replaced while it was being opened`);
}

/** A failed stat or open as an expected failure: missing, or unreadable, with the reason. */
export function unreadable(path: string, err: unknown, cap: FileCap): FieldlineError {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT' || code === 'ENOTDIR') return new FieldlineError('FILE_NOT_FOUND', `${cap.what} ${path}`, {}, { cause: err });
  const reason =
    code === 'EACCES' || code === 'EPERM' ? 'permission denied' : code === 'ELOOP' ? 'too many symbolic links' : (code ?? 'unknown error');
  return new FieldlineError('FILE_UNREADABLE', `${cap.what} ${path}: ${reason}`, {}, { cause: err });
}

/** Opens `path` for reading if it is a regular file within the cap; the descriptor and the size to read. */
function openRegularSync(path: string, cap: FileCap): { fd: number; size: number } {
  let before: Stats;
  let fd: number;
  try {
    before = statSync(path);
    checked(path, before, cap);
    fd = openSync(path, OPEN_FLAGS);
  } catch (err) {
    if (err instanceof FieldlineError) throw err;
    throw unreadable(path, err, cap);
  }
  try {
    const info = fstatSync(fd);
    if (!sameFile(before, info)) throw changed(path, cap);
    return { fd, size: checked(path, info, cap) };
  } catch (err) {
    closeSync(fd);
    throw err;
  }
}

/** The whole file, if it is a regular file of at most `cap.maxBytes`. */
export function readRegularFileSync(path: string, cap: FileCap): Uint8Array {
  const { fd, size } = openRegularSync(path, cap);
  try {
    const buffer = Buffer.allocUnsafeSlow(size);
    let got = 0;
    while (got < size) {
      const n = readSync(fd, buffer, got, size - got, got);
      if (n === 0) break; // shrank while being read: what is there is what was read
      got += n;
    }
    return new Uint8Array(buffer.buffer, buffer.byteOffset, got);
  } finally {
    closeSync(fd);
  }
}

/** SHA-256 (hex) of a regular file of at most `cap.maxBytes`, read in 64 KiB chunks: never held whole. */
export function hashRegularFileSync(path: string, cap: FileCap): string {
  const { fd, size } = openRegularSync(path, cap);
  try {
    const hash = createHash('sha256');
    const chunk = Buffer.allocUnsafe(Math.min(CHUNK, Math.max(size, 1)));
    let done = 0;
    while (done < size) {
      const n = readSync(fd, chunk, 0, Math.min(chunk.length, size - done), done);
      if (n === 0) break;
      hash.update(chunk.subarray(0, n));
      done += n;
    }
    return hash.digest('hex');
  } finally {
    closeSync(fd);
  }
}

/** readRegularFileSync without blocking the event loop (for the station's main thread). */
export async function readRegularFile(path: string, cap: FileCap): Promise<Uint8Array> {
  let handle: Awaited<ReturnType<typeof open>>;
  let before: Stats;
  try {
    before = await stat(path);
    checked(path, before, cap);
    handle = await open(path, OPEN_FLAGS);
  } catch (err) {
    if (err instanceof FieldlineError) throw err;
    throw unreadable(path, err, cap);
  }
  try {
    const info = await handle.stat();
    if (!sameFile(before, info)) throw changed(path, cap);
    const size = checked(path, info, cap);
    const buffer = Buffer.allocUnsafeSlow(size);
    let got = 0;
    while (got < size) {
      const { bytesRead } = await handle.read(buffer, got, size - got, got);
      if (bytesRead === 0) break;
      got += bytesRead;
    }
    return new Uint8Array(buffer.buffer, buffer.byteOffset, got);
  } finally {
    await handle.close();
  }
}
