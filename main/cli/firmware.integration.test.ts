/**
 * `fieldline firmware verify|info` as a user runs them: the real command in its own process, on the real MCUboot
 * image signed with MCUboot's development RSA-2048 key (main/testing/fixtures, copies of ../shared/protocol/fixtures)
 * and on images signed in the test.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lastJsonLine, runFieldline } from '../testing/cli';
import { makeSignedImage, makeSigningKey } from '../testing/mcuboot-sign';

const fixture = (name: string): string => fileURLToPath(new URL(`../testing/fixtures/${name}`, import.meta.url));
const IMAGE = fixture('zephyr-hello_world.signed.bin');
const ROOT_KEY = fixture('mcuboot-root-rsa-2048.pub.pem');
const ROOT_KEY_HASH = 'fc5701dc6135e1323847bdc40f04d2e5bee5833b23c29f93593d00018cfa9994';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fieldline-fw-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('fieldline firmware verify', () => {
  it('reports the real signed image valid with its key (--json), naming algorithm, key, version and hash', async () => {
    const run = await runFieldline(['firmware', 'verify', IMAGE, '--key', ROOT_KEY, '--json']);
    expect(run.code, run.stderr).toBe(0);
    expect(lastJsonLine(run.stdout)).toEqual({
      file: IMAGE,
      valid: true,
      algorithm: 'rsa-2048',
      keyHash: ROOT_KEY_HASH,
      key: ROOT_KEY,
      version: '0.0.0+0',
      hash: '90a0d88baaa733640dab01fd8e9311dbe8ea1032966b6b286ef6ef772cc608cf',
    });
  });

  it('exits 1 with the reason for another key', async () => {
    const other = join(dir, 'other.pub.pem');
    await writeFile(other, makeSigningKey('ecdsa-p256').publicPem);
    const run = await runFieldline(['firmware', 'verify', IMAGE, '--key', other, '--json']);
    expect(run.code).toBe(1);
    const { error } = lastJsonLine(run.stdout) as { error: { code: string; message: string } };
    expect(error.code).toBe('FIRMWARE_KEY_UNTRUSTED');
    expect(error.message).toContain(ROOT_KEY_HASH);
  });

  it('exits 1 with the reason for one changed byte, in words without --json', async () => {
    const bytes = await readFile(IMAGE);
    bytes[4000] = (bytes[4000] as number) ^ 0x80;
    const changed = join(dir, 'changed.bin');
    await writeFile(changed, bytes);
    const run = await runFieldline(['firmware', 'verify', changed, '--key', ROOT_KEY]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/does not match its own SHA-256.*hash to /);
  });

  it('exits 1 for an unsigned image and 2 for a key that is no public key (a private key)', async () => {
    const unsigned = join(dir, 'unsigned.bin');
    await writeFile(unsigned, makeSignedImage({ version: '1.0.0' }));
    const run = await runFieldline(['firmware', 'verify', unsigned, '--key', ROOT_KEY, '--json']);
    expect(run.code).toBe(1);
    expect((lastJsonLine(run.stdout) as { error: { code: string } }).error.code).toBe('FIRMWARE_UNSIGNED');

    const privateKey = join(dir, 'private.pem');
    await writeFile(privateKey, makeSigningKey('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }));
    const notKey = await runFieldline(['firmware', 'verify', IMAGE, '--key', privateKey, '--json']);
    expect(notKey.code).toBe(2);
    expect((lastJsonLine(notKey.stdout) as { error: { code: string } }).error.code).toBe('FIRMWARE_KEY_INVALID');
  });

  it('without --key is a usage error (exit 2), not an image trusted by nobody', async () => {
    const run = await runFieldline(['firmware', 'verify', IMAGE, '--json']);
    expect(run.code).toBe(2);
    expect(lastJsonLine(run.stdout)).toMatchObject({ error: { code: 'USAGE' } });
  });

  it('verifies an Ed25519 image against several keys, and refuses /dev/zero without reading it', async () => {
    const ed = makeSigningKey('ed25519');
    const keyFile = join(dir, 'ed.pub.pem');
    await writeFile(keyFile, ed.publicPem);
    const image = join(dir, 'ed.bin');
    await writeFile(image, makeSignedImage({ version: '3.1.4+9', key: ed }));
    const run = await runFieldline(['firmware', 'verify', image, '--key', ROOT_KEY, '--key', keyFile, '--json']);
    expect(run.code, run.stderr).toBe(0);
    expect(lastJsonLine(run.stdout)).toMatchObject({ valid: true, algorithm: 'ed25519', keyHash: ed.keyHash, version: '3.1.4+9' });

    const zero = await runFieldline(['firmware', 'verify', '/dev/zero', '--key', keyFile, '--json']);
    expect(zero.code).toBe(2);
    expect((lastJsonLine(zero.stdout) as { error: { code: string } }).error.code).toBe('FILE_NOT_REGULAR');
  });
});

describe('fieldline firmware info', () => {
  it('lists the header and every TLV of the real image', async () => {
    const run = await runFieldline(['firmware', 'info', IMAGE, '--json']);
    expect(run.code, run.stderr).toBe(0);
    const info = lastJsonLine(run.stdout);
    expect(info).toMatchObject({
      version: '0.0.0+0',
      flags: { value: '0x00000000', names: [] },
      sizes: { file: 25540, header: 512, body: 24692, protectedTlvs: 0, tlvs: 336, trailing: 0 },
      hash: '90a0d88baaa733640dab01fd8e9311dbe8ea1032966b6b286ef6ef772cc608cf',
      hashValid: true,
      signatures: ['RSA2048_PSS'],
      keyHashes: [ROOT_KEY_HASH],
    });
    expect((info.tlvs as Array<{ name: string; length: number; area: string }>).map((t) => [t.area, t.name, t.length])).toEqual([
      ['unprotected', 'SHA256', 32],
      ['unprotected', 'KEYHASH', 32],
      ['unprotected', 'RSA2048_PSS', 256],
    ]);
  });

  it('exits 1 on a file that is not an MCUboot image', async () => {
    const junk = join(dir, 'junk.bin');
    await writeFile(junk, Buffer.alloc(100, 0x41));
    const run = await runFieldline(['firmware', 'info', junk]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/not a well-formed MCUboot image: MCUboot image: bad magic/);
  });
});
