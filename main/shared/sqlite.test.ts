/** SQLite's and the file system's failures in the technician's words (issue #11: a full disk names its folder). */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FieldlineError } from '../errors';
import { storeError } from './sqlite';

let dir: string;
let file: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fieldline-connection-'));
  file = join(dir, 'fieldline.db');
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** An error as better-sqlite3 or node:fs throws it: a message and a string code. */
const raw = (code: string, message: string): Error => Object.assign(new Error(message), { code });

function converted(code: string, message: string): FieldlineError {
  const err = storeError(raw(code, message), file);
  expect(err).toBeInstanceOf(FieldlineError);
  return err as FieldlineError;
}

describe('storeError', () => {
  it('SQLITE_FULL is STORE_DISK_FULL, naming the folder and the space left on its disk', () => {
    const err = converted('SQLITE_FULL', 'database or disk is full');
    expect(err.code).toBe('STORE_DISK_FULL');
    const words = `^free space on the disk that holds ${dir}: \\d+ KB left \\(fieldline\\.db: database or disk is full\\)$`;
    expect(err.message).toMatch(new RegExp(words));
    expect(err.details).toMatchObject({ folder: dir, bytesFree: expect.any(Number) });
  });

  it('ENOSPC (a write to the WAL or a file beside it) is STORE_DISK_FULL too', () => {
    expect(converted('ENOSPC', 'no space left on device, write').code).toBe('STORE_DISK_FULL');
  });

  it('an I/O error on a disk with room is STORE_UNAVAILABLE, with the space left for the record', () => {
    const err = converted('SQLITE_IOERR_WRITE', 'disk I/O error');
    expect(err.code).toBe('STORE_UNAVAILABLE');
    expect(err.message).toMatch(/disk I\/O error \(\d+ KB left on its disk\)$/);
  });

  it('a read-only database or file system says which folder is read-only', () => {
    for (const code of ['SQLITE_READONLY', 'EROFS']) {
      const err = converted(code, 'attempt to write a readonly database');
      expect(err.code).toBe('STORE_UNAVAILABLE');
      expect(err.message).toContain(`${dir} is read-only`);
    }
  });

  it('keeps corrupt and busy apart, and leaves bugs alone', () => {
    expect(converted('SQLITE_CORRUPT', 'database disk image is malformed').code).toBe('STORE_CORRUPT');
    expect(converted('SQLITE_BUSY', 'database is locked').code).toBe('STORE_BUSY');
    const bug = raw('SQLITE_CONSTRAINT_UNIQUE', 'UNIQUE constraint failed');
    expect(storeError(bug, file)).toBe(bug);
  });
});
