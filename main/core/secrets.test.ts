import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadRegistrySettings, saveRegistrySettings } from '../sync/registry-config';
import { createEncryptedSecretStore, createFileSecretStore } from './secrets';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fieldline-secrets-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('the file secret store', () => {
  it('keeps each secret in an owner-only file, says it is not encrypted, and deletes', async () => {
    const store = createFileSecretStore(dir);
    expect(store.encrypted).toBe(false);
    expect(await store.get('registry-token')).toBeUndefined();
    await writeFile(join(dir, 'registry-token'), 'old\n', { mode: 0o644 });
    await store.set('registry-token', 'flt_secret');
    expect((await stat(join(dir, 'registry-token'))).mode & 0o777).toBe(0o600);
    expect(await store.get('registry-token')).toBe('flt_secret');
    await store.delete('registry-token');
    expect(await store.get('registry-token')).toBeUndefined();
  });

  it('shares the registry token file with `fieldline registry login`', async () => {
    saveRegistrySettings(dir, { url: 'https://registry.example.com', token: 'flt_from_cli' });
    // Stored with the origin it was given for (sync/registry-token.ts).
    expect(JSON.parse((await createFileSecretStore(dir).get('registry-token')) ?? '')).toEqual({ origin: 'https://registry.example.com', token: 'flt_from_cli' });
    await createFileSecretStore(dir).set('registry-token', JSON.stringify({ origin: 'https://registry.example.com', token: 'flt_from_app' }));
    expect(loadRegistrySettings(dir).token).toEqual({ origin: 'https://registry.example.com', value: 'flt_from_app' });
  });
});

describe('the encrypted secret store', () => {
  it('writes only what the cipher made of the value', async () => {
    const cipher = {
      encryptString: (s: string) => Buffer.from([...Buffer.from(s)].map((b) => b ^ 0x5a)),
      decryptString: (b: Buffer) => Buffer.from([...b].map((x) => x ^ 0x5a)).toString(),
    };
    const store = createEncryptedSecretStore(dir, cipher, true);
    await store.set('ca-passphrase', 'correct horse');
    expect(await readFile(join(dir, 'ca-passphrase.enc'), 'utf8')).not.toContain('correct');
    expect(await store.get('ca-passphrase')).toBe('correct horse');
    expect(store.encrypted).toBe(true);
  });
});
