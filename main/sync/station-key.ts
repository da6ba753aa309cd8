/**
 * The station's own Ed25519 key: it signs offline bundles, and the registry learns its public half (at
 * `registry login`, or from an administrator) so it can tell a station's bundle from a forged one. Made on first
 * use, kept in the data directory with mode 0600; the private key never leaves that file.
 */
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export interface StationKey {
  privateKey: KeyObject;
  /** SPKI DER, base64. */
  publicKey: string;
  keyId: string;
}

export function keyIdOf(publicKeySpkiBase64: string): string {
  return createHash('sha256').update(Buffer.from(publicKeySpkiBase64, 'base64')).digest('hex').slice(0, 16);
}

export function stationKeyPath(dataDir: string): string {
  return join(dataDir, 'station-key.pem');
}

export function loadStationKey(dataDir: string): StationKey {
  const file = stationKeyPath(dataDir);
  if (!existsSync(file)) {
    const { privateKey } = generateKeyPairSync('ed25519');
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    // 'wx': two processes creating the key at once must not overwrite each other's.
    try {
      writeFileSync(file, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600, flag: 'wx' });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
  const privateKey = createPrivateKey(readFileSync(file));
  const publicKey = Buffer.from(createPublicKey(privateKey).export({ type: 'spki', format: 'der' })).toString('base64');
  return { privateKey, publicKey, keyId: keyIdOf(publicKey) };
}
