/**
 * The station's own Ed25519 key: it signs offline bundles, and the registry learns its public half (at
 * `registry login`, or from an administrator) so it can tell a station's bundle from a forged one. Made on first
 * use and kept in the data directory sealed — AES-256-GCM under the machine key (machine-key.ts), which lives apart
 * from the data directory — so no file there holds the private key in plain. The clear key exists only in memory.
 *
 * Versions before this one kept it as plaintext `station-key.pem`; the first use seals that same key (its key id,
 * which registries know, is unchanged) and removes the plaintext file.
 */
import {
  createCipheriv,
  createDecipheriv,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  randomBytes,
  type KeyObject,
} from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { FieldlineError } from '../errors';
import { keyIdOf } from '../shared/bundle-format';
import { createFileOnce, defaultMachineKeyDir, loadMachineKey } from './machine-key';

export interface StationKey {
  privateKey: KeyObject;
  /** SPKI DER, base64. */
  publicKey: string;
  keyId: string;
}

export interface StationKeyOptions {
  /** Where the machine key is (default: FIELDLINE_KEY_DIR, else the user's local state folder). */
  keyDir?: string;
}

const SEALED_FILE = 'station-key.sealed.json';
/** What versions before sealing wrote. Read once, to be sealed, then removed. */
const LEGACY_PLAINTEXT_FILE = 'station-key.pem';

export function stationKeyPath(dataDir: string): string {
  return join(dataDir, SEALED_FILE);
}

const base64 = z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/).max(512);
const sealedSchema = z
  .object({
    version: z.literal(1),
    cipher: z.literal('aes-256-gcm'),
    keyId: z.string().regex(/^[0-9a-f]{16}$/),
    publicKey: base64,
    iv: base64,
    tag: base64,
    ciphertext: base64,
  })
  .strict();
type Sealed = z.infer<typeof sealedSchema>;

function unavailable(detail: string): FieldlineError {
  return new FieldlineError('STATION_KEY_UNAVAILABLE', detail);
}

/** The header is authenticated with the ciphertext: a file whose key id or public key was edited does not open. */
function aad(sealed: Pick<Sealed, 'version' | 'cipher' | 'keyId' | 'publicKey'>): Buffer {
  return Buffer.from(JSON.stringify([sealed.version, sealed.cipher, sealed.keyId, sealed.publicKey]), 'utf8');
}

function describe(privateKey: KeyObject): StationKey {
  const publicKey = Buffer.from(createPublicKey(privateKey).export({ type: 'spki', format: 'der' })).toString('base64');
  return { privateKey, publicKey, keyId: keyIdOf(publicKey) };
}

function seal(key: StationKey, machineKey: Buffer): Sealed {
  const der = key.privateKey.export({ type: 'pkcs8', format: 'der' });
  const iv = randomBytes(12);
  const header = { version: 1, cipher: 'aes-256-gcm', keyId: key.keyId, publicKey: key.publicKey } as const;
  try {
    const cipher = createCipheriv('aes-256-gcm', machineKey, iv);
    cipher.setAAD(aad(header));
    const ciphertext = Buffer.concat([cipher.update(der), cipher.final()]);
    return { ...header, iv: iv.toString('base64'), tag: cipher.getAuthTag().toString('base64'), ciphertext: ciphertext.toString('base64') };
  } finally {
    der.fill(0);
  }
}

function unseal(file: string, machineKey: Buffer): StationKey {
  let sealed: Sealed;
  try {
    sealed = sealedSchema.parse(JSON.parse(readFileSync(file, 'utf8')));
  } catch (err) {
    throw unavailable(`${file} is damaged (${(err as Error).message.split('\n')[0]})`);
  }
  const iv = Buffer.from(sealed.iv, 'base64');
  const tag = Buffer.from(sealed.tag, 'base64');
  if (iv.length !== 12 || tag.length !== 16) throw unavailable(`${file} is damaged (malformed IV or tag)`);
  let der: Buffer;
  try {
    const decipher = createDecipheriv('aes-256-gcm', machineKey, iv);
    decipher.setAAD(aad(sealed));
    decipher.setAuthTag(tag);
    der = Buffer.concat([decipher.update(Buffer.from(sealed.ciphertext, 'base64')), decipher.final()]);
  } catch {
    // GCM cannot tell a file sealed under another machine key from an altered one.
    throw unavailable(`${file} does not open with this machine's key: it was sealed on another machine or by another user, or it was altered`);
  }
  try {
    const key = describe(createPrivateKey({ key: der, format: 'der', type: 'pkcs8' }));
    if (key.keyId !== sealed.keyId || key.publicKey !== sealed.publicKey) throw unavailable(`${file} does not hold the key it names`);
    return key;
  } finally {
    der.fill(0);
  }
}

function readLegacyKey(file: string): StationKey | undefined {
  if (!existsSync(file)) return undefined;
  try {
    return describe(createPrivateKey(readFileSync(file)));
  } catch (err) {
    throw unavailable(`${file} (a station key from an older version) cannot be read: ${(err as Error).message}`);
  }
}

/**
 * The station key: opened from its sealed file, else sealed from an older version's plaintext file, else made.
 * STATION_KEY_UNAVAILABLE when a sealed key exists but this machine's key does not open it: a new key is then not
 * made in its place, since the registry knows the old one.
 */
export function loadStationKey(dataDir: string, options: StationKeyOptions = {}): StationKey {
  const keyDir = options.keyDir ?? defaultMachineKeyDir();
  const sealedFile = stationKeyPath(dataDir);
  const legacyFile = join(dataDir, LEGACY_PLAINTEXT_FILE);
  const machineKey = loadMachineKey(keyDir, dataDir, !existsSync(sealedFile));
  try {
    if (!existsSync(sealedFile)) {
      const fresh = readLegacyKey(legacyFile) ?? describe(generateKeyPairSync('ed25519').privateKey);
      mkdirSync(dataDir, { recursive: true, mode: 0o700 });
      // Created once: of two processes making the key at once, both go on with the one that landed first.
      createFileOnce(sealedFile, Buffer.from(JSON.stringify(seal(fresh, machineKey), null, 2) + '\n'));
    }
    const key = unseal(sealedFile, machineKey);
    // The plaintext goes only once the sealed file holds the same key (never a key the registry may know).
    if (existsSync(legacyFile) && readLegacyKey(legacyFile)?.keyId === key.keyId) rmSync(legacyFile, { force: true });
    return key;
  } finally {
    machineKey.fill(0);
  }
}
