/** The data directory: created owner-only, and a folder that cannot be made is an error in words, not a crash. */
import { statSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { resolveDataDir } from './data-dir';
import { FieldlineError } from './errors';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fieldline-data-dir-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function failure(fn: () => unknown): FieldlineError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(FieldlineError);
    return err as FieldlineError;
  }
  throw new Error('expected a failure');
}

describe('resolveDataDir', () => {
  it('creates the folder owner-only, from the flag before the environment', () => {
    const made = resolveDataDir(join(dir, 'a', 'b'), { FIELDLINE_DATA_DIR: join(dir, 'env') });
    expect(made).toBe(join(dir, 'a', 'b'));
    expect(statSync(made).mode & 0o777).toBe(0o700);
  });

  it('a file where the folder should be is INVALID_ARGUMENT naming it', async () => {
    const file = join(dir, 'plain-file');
    await writeFile(file, '');
    const err = failure(() => resolveDataDir(file));
    expect(err.code).toBe('INVALID_ARGUMENT');
    expect(err.message).toContain(file);
    expect(failure(() => resolveDataDir(join(file, 'below'))).code).toBe('INVALID_ARGUMENT');
  });
});
