import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseProfile } from './load';
import {
  checkProfileTrust,
  generatePublisherKey,
  keyIdOf,
  loadTrustedKeys,
  signProfile,
  verifyBytes,
  verifyProfile,
  type PublisherKeyPair,
} from './signature';

const TEXT = 'apiVersion: fieldline/v1\nname: signed\nversion: 1.0.0\n';

let dir: string;
let file: string;
let publisher: PublisherKeyPair;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fieldline-sig-'));
  file = join(dir, 'p.yaml');
  await writeFile(file, TEXT);
  publisher = generatePublisherKey();
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function trust(dataDir: string, pem: string, name = 'publisher.pub.pem'): Promise<void> {
  await mkdir(join(dataDir, 'trust'), { recursive: true });
  await writeFile(join(dataDir, 'trust', name), pem);
}

describe('publisher keys', () => {
  it('makes an Ed25519 pair whose key id is the SHA-256 of the SPKI, 16 hex digits', () => {
    expect(publisher.privateKeyPem).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    expect(publisher.publicKeyPem).toMatch(/^-----BEGIN PUBLIC KEY-----/);
    expect(publisher.keyId).toMatch(/^[0-9a-f]{16}$/);
    expect(keyIdOf(publisher.publicKeyPem)).toBe(publisher.keyId);
    expect(keyIdOf(createPublicKey(publisher.privateKeyPem))).toBe(publisher.keyId);
  });
});

describe('signatures', () => {
  it('signs the exact bytes and verifies with the trusted key', async () => {
    const signed = await signProfile(file, publisher.privateKeyPem);
    expect(signed).toEqual({ signaturePath: `${file}.sig`, keyId: publisher.keyId });
    const sig = JSON.parse(await readFile(`${file}.sig`, 'utf8')) as Record<string, string>;
    expect(sig).toMatchObject({ format: 'fieldline-signature/v1', algorithm: 'ed25519', keyId: publisher.keyId });
    expect(Buffer.from(sig.signature as string, 'base64')).toHaveLength(64);
    expect(await verifyProfile(file, [publisher.publicKeyPem])).toEqual({ status: 'trusted', signed: true, trusted: true, keyId: publisher.keyId });
  });

  it('fails after any one byte changes', async () => {
    await signProfile(file, publisher.privateKeyPem);
    const original = Buffer.from(TEXT);
    for (const at of [0, 17, original.length - 1]) {
      const tampered = Buffer.from(original);
      tampered[at] = (tampered[at] as number) ^ 0x01;
      await writeFile(file, tampered);
      expect((await verifyProfile(file, [publisher.publicKeyPem])).status).toBe('bad-signature');
    }
    await writeFile(file, TEXT + '\n');
    expect((await verifyProfile(file, [publisher.publicKeyPem])).trusted).toBe(false);
  });

  it('tells unsigned, unknown signer and malformed apart', async () => {
    expect(await verifyProfile(file, [publisher.publicKeyPem])).toEqual({ status: 'unsigned', signed: false, trusted: false, keyId: null });
    await signProfile(file, publisher.privateKeyPem);
    const other = generatePublisherKey();
    expect(await verifyProfile(file, [other.publicKeyPem])).toMatchObject({ status: 'unknown-signer', keyId: publisher.keyId });
    expect(verifyBytes(Buffer.from(TEXT), 'not json', [publisher.publicKeyPem]).status).toBe('malformed');
    expect(verifyBytes(Buffer.from(TEXT), '{"format":"fieldline-signature/v1"}', []).status).toBe('malformed');
  });

  it('refuses keys that are not Ed25519', async () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const pem = rsa.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    await expect(signProfile(file, pem)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(signProfile(file, 'garbage')).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });
});

describe('station trust', () => {
  it('loads trust/*.pub.pem from the data directory, and refuses a broken key file', async () => {
    expect(await loadTrustedKeys(dir)).toEqual([]);
    await trust(dir, publisher.publicKeyPem);
    await writeFile(join(dir, 'trust', 'README.txt'), 'ignored');
    expect((await loadTrustedKeys(dir)).map((k) => keyIdOf(k))).toEqual([publisher.keyId]);
    await trust(dir, 'not a key', 'broken.pub.pem');
    await expect(loadTrustedKeys(dir)).rejects.toMatchObject({ code: 'TRUST_KEY_INVALID' });
  });

  it('accepts a profile signed by a trusted key when signatures are required', async () => {
    await trust(dir, publisher.publicKeyPem);
    await signProfile(file, publisher.privateKeyPem);
    expect(await checkProfileTrust(file, { dataDir: dir, required: true })).toMatchObject({ trusted: true });
    // The loaded bytes are what is checked, not whatever the file holds by then.
    const loaded = parseProfile(await readFile(file), file);
    await writeFile(file, TEXT.replace('signed', 'swapped'));
    expect(await checkProfileTrust(loaded, { dataDir: dir, required: true })).toMatchObject({ trusted: true });
  });

  it('refuses unsigned and unknown signers only when required, and a bad signature always', async () => {
    await expect(checkProfileTrust(file, { dataDir: dir, required: true })).rejects.toMatchObject({
      code: 'PROFILE_SIGNATURE',
      message: expect.stringContaining('is not signed'),
    });
    expect(await checkProfileTrust(file, { dataDir: dir, required: false })).toMatchObject({ status: 'unsigned' });

    await signProfile(file, publisher.privateKeyPem);
    await expect(checkProfileTrust(file, { dataDir: dir, required: true })).rejects.toMatchObject({
      message: expect.stringContaining('trusts no publisher keys yet'),
    });
    await trust(dir, generatePublisherKey().publicKeyPem, 'other.pub.pem');
    await expect(checkProfileTrust(file, { dataDir: dir, required: true })).rejects.toMatchObject({
      message: expect.stringContaining(`signed by key ${publisher.keyId}, which is not among the trusted keys`),
    });
    expect(await checkProfileTrust(file, { dataDir: dir, required: false })).toMatchObject({ status: 'unknown-signer' });

    await writeFile(file, TEXT.replace('1.0.0', '1.0.1'));
    for (const required of [true, false]) {
      await expect(checkProfileTrust(file, { dataDir: dir, required, extraKeys: [publisher.publicKeyPem] })).rejects.toMatchObject({
        code: 'PROFILE_SIGNATURE',
        message: expect.stringContaining('was changed after key'),
      });
    }
  });
});
