import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isFieldlineError } from '../errors';
import { openSealedKey, parseSealedKey, readSealedKey, requireStrongPassphrase, sealPrivateKey, writeSealedKey, type SealedKey } from './key-vault';

const PASS = 'correct horse battery staple';

function p256Pkcs8(): { der: Buffer; d: Buffer } {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const jwk = privateKey.export({ format: 'jwk' });
  return { der: privateKey.export({ type: 'pkcs8', format: 'der' }), d: Buffer.from(jwk.d as string, 'base64url') };
}

async function expectCode(promise: Promise<unknown>, code: string): Promise<void> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(isFieldlineError(err) ? err.code : err).toBe(code);
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fieldline-vault-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('key vault', () => {
  it('round-trips a PKCS#8 key and refuses a wrong passphrase with CA_PASSPHRASE', async () => {
    const { der } = p256Pkcs8();
    const sealed = await sealPrivateKey(der, PASS);
    expect(sealed.kdf).toEqual({ name: 'scrypt', N: 32768, r: 8, p: 1, keyLength: 32 });
    expect(Buffer.from(sealed.salt, 'base64')).toHaveLength(16);
    expect(Buffer.from(sealed.iv, 'base64')).toHaveLength(12);
    expect(Buffer.from(await openSealedKey(sealed, PASS))).toEqual(der);
    await expectCode(openSealedKey(sealed, PASS + '!'), 'CA_PASSPHRASE');
  });

  it('uses a fresh salt and IV every time', async () => {
    const { der } = p256Pkcs8();
    const a = await sealPrivateKey(der, PASS);
    const b = await sealPrivateKey(der, PASS);
    expect(a.salt).not.toBe(b.salt);
    expect(a.iv).not.toBe(b.iv);
    expect(a.ciphertext).not.toBe(b.ciphertext);
  });

  it('detects an edited header or ciphertext (the header is authenticated)', async () => {
    const sealed = await sealPrivateKey(p256Pkcs8().der, PASS);
    const weaker: SealedKey = { ...sealed, kdf: { ...sealed.kdf, N: 2 ** 14 } };
    await expectCode(openSealedKey(weaker, PASS), 'CA_PASSPHRASE');
    const bytes = Buffer.from(sealed.ciphertext, 'base64');
    bytes[10] = (bytes[10] as number) ^ 1;
    await expectCode(openSealedKey({ ...sealed, ciphertext: bytes.toString('base64') }, PASS), 'CA_PASSPHRASE');
  });

  it('refuses damaged files and KDF parameters that would exhaust memory as CA_FILES_INVALID', async () => {
    const sealed = await sealPrivateKey(p256Pkcs8().der, PASS);
    const json = JSON.parse(JSON.stringify(sealed)) as Record<string, unknown>;
    for (const bad of [
      { ...json, version: 2 },
      { ...json, kdf: { ...sealed.kdf, N: 2 ** 30 } },
      { ...json, kdf: { ...sealed.kdf, N: 1000 } },
      { ...json, iv: 'AAAA' },
      { ...json, ciphertext: 42 },
      null,
    ]) {
      let err: unknown;
      try {
        parseSealedKey(bad);
      } catch (e) {
        err = e;
      }
      expect(isFieldlineError(err, 'CA_FILES_INVALID'), JSON.stringify(bad)).toBe(true);
    }
    expect(parseSealedKey(json)).toEqual(sealed);
  });

  it('writes the file 0600, leaves no temp file, and the file holds no trace of the key', async () => {
    const { der, d } = p256Pkcs8();
    const path = join(dir, 'k.enc');
    await writeSealedKey(path, der, PASS);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect(await readdir(dir)).toEqual(['k.enc']);
    const raw = await readFile(path);
    const text = raw.toString('utf8');
    const pemBody = der.toString('base64');
    for (const needle of [der, d, Buffer.from(pemBody), Buffer.from(der.toString('hex')), Buffer.from(d.toString('hex')), Buffer.from(d.toString('base64'))]) {
      expect(raw.includes(needle)).toBe(false);
    }
    // Any 16-byte window of the key in the clear, or 24 characters of its base64 at any of the three byte alignments,
    // would also be a leak.
    for (let i = 0; i + 16 <= der.length; i += 8) expect(raw.includes(der.subarray(i, i + 16))).toBe(false);
    for (let shift = 0; shift < 3; shift++) {
      const b64 = der.subarray(shift).toString('base64');
      for (let i = 0; i + 24 <= b64.length - 4; i += 12) expect(text.includes(b64.slice(i, i + 24))).toBe(false);
    }
    expect(text).not.toMatch(/PRIVATE KEY/);
    expect(Buffer.from(await readSealedKey(path, PASS))).toEqual(der);
    await expectCode(readSealedKey(path, 'not the passphrase'), 'CA_PASSPHRASE');
  });

  it('reports a missing file as CA_NOT_INITIALIZED and a non-JSON one as CA_FILES_INVALID', async () => {
    await expectCode(readSealedKey(join(dir, 'missing.enc'), PASS), 'CA_NOT_INITIALIZED');
    await writeFile(join(dir, 'junk.enc'), '-----BEGIN something');
    await expectCode(readSealedKey(join(dir, 'junk.enc'), PASS), 'CA_FILES_INVALID');
  });

  it('requires passphrases of at least 8 characters for new keys', () => {
    expect(() => requireStrongPassphrase('1234567')).toThrow(expect.objectContaining({ code: 'CA_PASSPHRASE_WEAK' }));
    expect(() => requireStrongPassphrase('12345678')).not.toThrow();
  });
});
