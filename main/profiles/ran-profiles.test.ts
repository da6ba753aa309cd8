/** The station keeps the exact bytes of each profile a run used, by the SHA-256 the run's record states. */
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../testing/cli';
import { loadProfile } from './load';
import { keepRanProfile, ranProfilePath, readRanProfile } from './ran-profiles';

describe('kept profiles', () => {
  let dataDir: string;
  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'fieldline-ran-'));
  });
  afterEach(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('keeps the bytes under the hash a run records, once, and reads them back', async () => {
    const profile = await loadProfile(join(REPO_ROOT, 'resources/profiles/gateway-eu.yaml'));
    const path = await keepRanProfile(dataDir, profile);
    expect(path).toBe(join(dataDir, 'profiles', 'ran', `${profile.sha256}.yaml`));
    expect(createHash('sha256').update(await readFile(path)).digest('hex')).toBe(profile.sha256);
    const first = await stat(path);
    await keepRanProfile(dataDir, profile);
    expect((await stat(path)).ino).toBe(first.ino);
    expect(Buffer.from((await readRanProfile(dataDir, profile.sha256)) ?? [])).toEqual(Buffer.from(profile.bytes));
  });

  it('replaces a damaged copy and never hands out bytes that do not hash right', async () => {
    const bytes = new TextEncoder().encode('name: x\n');
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    await keepRanProfile(dataDir, { sha256, bytes });
    const path = ranProfilePath(dataDir, sha256) as string;
    await writeFile(path, 'tampered');
    expect(await readRanProfile(dataDir, sha256)).toBeUndefined();
    await keepRanProfile(dataDir, { sha256, bytes });
    expect(await readFile(path, 'utf8')).toBe('name: x\n');
  });

  it('refuses bytes that are not the hash the record would state, and odd hashes', async () => {
    await expect(keepRanProfile(dataDir, { sha256: 'a'.repeat(64), bytes: new Uint8Array([1]) })).rejects.toThrow(/hash to/);
    expect(ranProfilePath(dataDir, '../../etc/passwd')).toBeUndefined();
    expect(await readRanProfile(dataDir, 'A'.repeat(64))).toBeUndefined();
    expect(await readRanProfile(dataDir, 'b'.repeat(64))).toBeUndefined();
  });

  it('refuses a profile over the size limit', async () => {
    const bytes = new Uint8Array(1024 * 1024 + 1);
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    await expect(keepRanProfile(dataDir, { sha256, bytes })).rejects.toMatchObject({ code: 'FILE_TOO_LARGE' });
  });
});
