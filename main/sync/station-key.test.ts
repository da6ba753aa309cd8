/**
 * The station's bundle-signing key at rest (issue #11): sealed in the data directory under a machine key kept
 * elsewhere, so a copy of the data directory (a backup, a support upload, a shared folder) cannot sign as the
 * station. A plaintext key left by an older version is sealed on first use without changing its key id.
 */
import { generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isFieldlineError } from '../errors';
import { registryRunRecord } from '../testing/registry';
import { keyIdOf, parseBundle, serializeBundle } from '../shared/bundle-format';
import { createBundle } from './bundle';
import { loadStationKey, stationKeyPath } from './station-key';

let work: string;
let dataDir: string;
let keyDir: string;
beforeEach(async () => {
  work = await mkdtemp(join(tmpdir(), 'fieldline-station-key-'));
  dataDir = join(work, 'data');
  keyDir = join(work, 'machine-keys');
});
afterEach(async () => {
  await rm(work, { recursive: true, force: true });
});

/** Every file under `dir`, with its bytes. */
async function filesUnder(dir: string): Promise<Array<{ path: string; bytes: Buffer }>> {
  const out: Array<{ path: string; bytes: Buffer }> = [];
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    out.push({ path, bytes: await readFile(path) });
  }
  return out;
}

/** No file under the data directory holds the private key in any plain form (PEM, DER, or DER as base64). */
async function expectNoPlainKey(privateKey: KeyObject): Promise<void> {
  const der = privateKey.export({ type: 'pkcs8', format: 'der' });
  const files = await filesUnder(dataDir);
  expect(files.length).toBeGreaterThan(0);
  for (const { path, bytes } of files) {
    expect(bytes.includes('PRIVATE KEY'), path).toBe(false);
    expect(bytes.includes(der), path).toBe(false);
    expect(bytes.includes(der.toString('base64')), path).toBe(false);
    // Ed25519's seed is the DER's last 32 bytes.
    expect(bytes.includes(der.subarray(-32)), path).toBe(false);
  }
}

function signsBundles(key: ReturnType<typeof loadStationKey>): void {
  const bundle = parseBundle(serializeBundle(createBundle([registryRunRecord()], 'site-a', key)));
  expect(bundle.manifest.keyId).toBe(key.keyId);
}

describe('the station key at rest', () => {
  it('is sealed from its first use: no file in the data directory holds it in plain, and it signs bundles', async () => {
    const key = loadStationKey(dataDir, { keyDir });
    await expectNoPlainKey(key.privateKey);
    expect((await stat(stationKeyPath(dataDir))).mode & 0o777).toBe(0o600);
    // The machine key is not in the data directory.
    expect((await filesUnder(dataDir)).map((f) => f.path)).toEqual([stationKeyPath(dataDir)]);
    expect((await filesUnder(keyDir)).length).toBe(1);
    signsBundles(key);

    const again = loadStationKey(dataDir, { keyDir });
    expect(again.keyId).toBe(key.keyId);
    expect(again.publicKey).toBe(key.publicKey);
  });

  it('seals a plaintext key left by an older version, keeps its key id and removes the plaintext file', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const spki = publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
    await mkdir(dataDir, { recursive: true });
    await writeFile(join(dataDir, 'station-key.pem'), privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });

    const key = loadStationKey(dataDir, { keyDir });
    expect(key.keyId).toBe(keyIdOf(spki));
    expect(key.publicKey).toBe(spki);
    expect((await readdir(dataDir)).sort()).toEqual(['station-key.sealed.json']);
    await expectNoPlainKey(privateKey);
    // Same key: what it signs verifies with the public key the registry already has.
    const message = Buffer.from('bundle manifest');
    expect(verify(null, message, publicKey, sign(null, message, key.privateKey))).toBe(true);
    expect(loadStationKey(dataDir, { keyDir }).keyId).toBe(keyIdOf(spki));
  });

  it('cannot be opened with another machine key, and is then neither replaced nor lost', async () => {
    const key = loadStationKey(dataDir, { keyDir });
    const sealed = await readFile(stationKeyPath(dataDir));
    let caught: unknown;
    try {
      loadStationKey(dataDir, { keyDir: join(work, 'another-machine') });
    } catch (err) {
      caught = err;
    }
    expect(isFieldlineError(caught, 'STATION_KEY_UNAVAILABLE'), String(caught)).toBe(true);
    expect(await readFile(stationKeyPath(dataDir))).toEqual(sealed);
    expect(loadStationKey(dataDir, { keyDir }).keyId).toBe(key.keyId);
  });

  it('refuses a damaged sealed file with a clear error', async () => {
    loadStationKey(dataDir, { keyDir });
    const sealed = JSON.parse(await readFile(stationKeyPath(dataDir), 'utf8')) as Record<string, string>;
    const flipped = Buffer.from(sealed['ciphertext']!, 'base64');
    flipped[0] = flipped[0]! ^ 1;
    const damaged = [JSON.stringify({ ...sealed, ciphertext: flipped.toString('base64') }), '{"version":1', JSON.stringify({ ...sealed, keyId: '00'.repeat(8) })];
    for (const text of damaged) {
      await writeFile(stationKeyPath(dataDir), text);
      expect(() => loadStationKey(dataDir, { keyDir })).toThrow(expect.objectContaining({ code: 'STATION_KEY_UNAVAILABLE' }));
    }
  });
});
