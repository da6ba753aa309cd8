import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { makeSigningKey } from '../testing/mcuboot-sign';
import { lintProfile, parseProfile, profileProblems } from './load';
import { loadSigningKeys } from './signing-keys';

const MINIMAL = 'apiVersion: fieldline/v1\nname: minimal\nversion: 1.0.0\n';
const indent = (pem: string): string => pem.trim().split('\n').map((l) => `      ${l}`).join('\n');
const profile = (entries: string[]): string =>
  `${MINIMAL}firmware:\n  minVersion: 1.0.0\n  signingKeys:\n${entries.map((e) => (e.includes('\n') ? `    - |\n${indent(e)}\n` : `    - ${e}\n`)).join('')}`;

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'fieldline-keys-'));
  dirs.push(dir);
  return dir;
}

describe('firmware.signingKeys', () => {
  const ed = makeSigningKey('ed25519');
  const ec = makeSigningKey('ecdsa-p256');

  it('takes inline PEM keys and key files relative to the profile, and loads them with their key hashes', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'ec.pub.pem'), ec.publicPem);
    await writeFile(join(dir, 'p.yaml'), profile([ed.publicPem, 'ec.pub.pem']));
    expect(await lintProfile(join(dir, 'p.yaml'))).toEqual([]);
    const loaded = parseProfile(profile([ed.publicPem, 'ec.pub.pem']), join(dir, 'p.yaml'));
    const keys = await loadSigningKeys(loaded.profile.firmware?.signingKeys ?? [], dir);
    expect(keys.map((k) => [k.algorithm, k.keyHash, k.source])).toEqual([
      ['ed25519', ed.keyHash, 'firmware.signingKeys[0]'],
      ['ecdsa-p256', ec.keyHash, join(dir, 'ec.pub.pem')],
    ]);
  });

  it('lint names a missing key file, a private key, a key listed twice and an empty list', async () => {
    const dir = await tempDir();
    const privatePem = ed.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    await writeFile(join(dir, 'p.yaml'), profile(['gone.pub.pem', privatePem, ec.publicPem, ec.publicPem]));
    const problems = (await lintProfile(join(dir, 'p.yaml'))).map((p) => `${p.path}: ${p.message}`);
    expect(problems).toEqual([
      `firmware.signingKeys[0]: key file ${join(dir, 'gone.pub.pem')}: not found (paths are relative to the profile)`,
      'firmware.signingKeys[1]: a "PRIVATE KEY" block; give the public key only (PUBLIC KEY or RSA PUBLIC KEY)',
      'firmware.signingKeys[3]: is the same key as signingKeys[2]',
    ]);
    await writeFile(join(dir, 'empty.yaml'), `${MINIMAL}firmware:\n  minVersion: 1.0.0\n  signingKeys: []\n`);
    expect((await lintProfile(join(dir, 'empty.yaml'))).map((p) => p.path)).toEqual(['firmware.signingKeys']);
  });

  it('checked away from its files, only inline keys are read', () => {
    expect(profileProblems(profile(['gone.pub.pem', ed.publicPem]), '/nowhere/p.yaml', { checkFiles: false })).toEqual([]);
    expect(profileProblems(profile(['-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----']), '/nowhere/p.yaml', { checkFiles: false })).toHaveLength(1);
  });
});
