import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSafeStorageSecretStore } from './secrets';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fieldline-safe-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

type Backend = 'basic_text' | 'gnome_libsecret' | 'kwallet' | 'kwallet5' | 'kwallet6' | 'unknown';

function fakeSafeStorage(available: boolean, backend: Backend) {
  return {
    isEncryptionAvailable: () => available,
    getSelectedStorageBackend: () => backend,
    encryptString: (s: string) => Buffer.from(`enc:${Buffer.from(s).toString('base64')}`),
    decryptString: (b: Buffer) => Buffer.from(b.toString().slice(4), 'base64').toString(),
  };
}

describe('the desktop secret store', () => {
  it('encrypts with safeStorage, and counts as encrypted only with a real keyring', async () => {
    const store = createSafeStorageSecretStore(dir, fakeSafeStorage(true, 'gnome_libsecret'));
    await store.set('registry-token', 'flt_secret');
    expect(await readFile(join(dir, 'registry-token.enc'), 'utf8')).not.toContain('flt_secret');
    expect(await store.get('registry-token')).toBe('flt_secret');
    expect(store.encrypted).toBe(true);
    expect(createSafeStorageSecretStore(dir, fakeSafeStorage(true, 'basic_text')).encrypted).toBe(process.platform !== 'linux');
  });

  it('falls back to owner-only files where safeStorage cannot encrypt', async () => {
    const store = createSafeStorageSecretStore(dir, fakeSafeStorage(false, 'unknown'));
    expect(store.encrypted).toBe(false);
    await store.set('registry-token', 'flt_plain');
    expect((await readFile(join(dir, 'registry-token'), 'utf8')).trim()).toBe('flt_plain');
  });
});
