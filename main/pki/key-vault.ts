/**
 * The CA's private key at rest: PKCS#8 DER sealed with AES-256-GCM under a key derived from the passphrase with
 * scrypt, stored as a small JSON file. The clear key exists only in memory: it is encrypted before anything is
 * written (the temp file of the atomic write already holds ciphertext), and buffers holding it are zeroed after use.
 *
 * The header (version, algorithm, KDF parameters, salt) is authenticated as GCM additional data, so an edited file —
 * say, weaker scrypt parameters — fails to open instead of being trusted. GCM cannot tell a wrong passphrase from a
 * tampered file; both are reported as CA_PASSPHRASE, which is what a technician most likely got wrong.
 */
import { createCipheriv, createDecipheriv, randomBytes, scrypt as scryptCallback, type ScryptOptions } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { FieldlineError } from '../errors';
import { writeFileAtomic } from './files';

export const VAULT_VERSION = 1;

/** N = 2^15, r = 8, p = 1: OWASP's scrypt floor, about 0.1 s and 32 MiB per unlock on a station PC. */
export const DEFAULT_KDF = { name: 'scrypt', N: 2 ** 15, r: 8, p: 1, keyLength: 32 } as const;

export interface KdfParams {
  name: 'scrypt';
  N: number;
  r: number;
  p: number;
  keyLength: 32;
}

export interface SealedKey {
  version: typeof VAULT_VERSION;
  cipher: 'aes-256-gcm';
  kdf: KdfParams;
  /** base64 */
  salt: string;
  iv: string;
  tag: string;
  ciphertext: string;
}

/** Shortest passphrase accepted when a CA key is sealed (init, import); opening accepts whatever was chosen. */
export const MIN_PASSPHRASE_LENGTH = 8;

export function requireStrongPassphrase(passphrase: string): void {
  if ([...passphrase].length < MIN_PASSPHRASE_LENGTH) {
    throw new FieldlineError('CA_PASSPHRASE_WEAK', `the passphrase has fewer than ${MIN_PASSPHRASE_LENGTH} characters`);
  }
}

/** Bounds on what a file may ask of scrypt, so a crafted file cannot make the station allocate gigabytes. */
const MAX_N = 2 ** 20;
const MAX_R = 32;
const MAX_P = 16;

function scrypt(passphrase: string, salt: Buffer, kdf: KdfParams): Promise<Buffer> {
  // Node refuses scrypt beyond 32 MiB by default and N=2^15, r=8 needs exactly 128·N·r = 32 MiB plus overhead.
  const options: ScryptOptions = { N: kdf.N, r: kdf.r, p: kdf.p, maxmem: 256 * kdf.N * kdf.r + 1024 * 1024 };
  return new Promise((resolve, reject) => {
    scryptCallback(passphrase.normalize('NFC'), salt, kdf.keyLength, options, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

function header(sealed: Pick<SealedKey, 'version' | 'cipher' | 'kdf' | 'salt'>): Buffer {
  const { name, N, r, p, keyLength } = sealed.kdf;
  return Buffer.from(JSON.stringify([sealed.version, sealed.cipher, name, N, r, p, keyLength, sealed.salt]), 'utf8');
}

export async function sealPrivateKey(pkcs8Der: Uint8Array, passphrase: string, kdf: KdfParams = { ...DEFAULT_KDF }): Promise<SealedKey> {
  const salt = randomBytes(16);
  const iv = randomBytes(12);
  const key = await scrypt(passphrase, salt, kdf);
  try {
    const base = { version: VAULT_VERSION, cipher: 'aes-256-gcm', kdf, salt: salt.toString('base64') } as const;
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    cipher.setAAD(header(base));
    const ciphertext = Buffer.concat([cipher.update(pkcs8Der), cipher.final()]);
    return { ...base, iv: iv.toString('base64'), tag: cipher.getAuthTag().toString('base64'), ciphertext: ciphertext.toString('base64') };
  } finally {
    key.fill(0);
  }
}

function invalid(detail: string): FieldlineError {
  return new FieldlineError('CA_FILES_INVALID', `the encrypted key file ${detail}`);
}

/** Checks the shape of a parsed key file; anything unexpected is a damaged file, not a wrong passphrase. */
export function parseSealedKey(json: unknown): SealedKey {
  if (typeof json !== 'object' || json === null) throw invalid('is not a JSON object');
  const o = json as Record<string, unknown>;
  if (o.version !== VAULT_VERSION) throw invalid(`has version ${String(o.version)}; this Fieldline reads version ${VAULT_VERSION}`);
  if (o.cipher !== 'aes-256-gcm') throw invalid(`uses cipher ${String(o.cipher)}`);
  const kdf = o.kdf as Record<string, unknown> | undefined;
  const int = (v: unknown, max: number): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= max;
  if (
    typeof kdf !== 'object' || kdf === null || kdf.name !== 'scrypt' || kdf.keyLength !== 32 ||
    !int(kdf.N, MAX_N) || (kdf.N & (kdf.N - 1)) !== 0 || !int(kdf.r, MAX_R) || !int(kdf.p, MAX_P)
  ) {
    throw invalid('has unusable key-derivation parameters');
  }
  for (const field of ['salt', 'iv', 'tag', 'ciphertext'] as const) {
    if (typeof o[field] !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(o[field] as string)) throw invalid(`has no valid ${field}`);
  }
  if (Buffer.from(o.iv as string, 'base64').length !== 12 || Buffer.from(o.tag as string, 'base64').length !== 16) {
    throw invalid('has a malformed IV or tag');
  }
  return {
    version: VAULT_VERSION,
    cipher: 'aes-256-gcm',
    kdf: { name: 'scrypt', N: kdf.N, r: kdf.r, p: kdf.p, keyLength: 32 },
    salt: o.salt as string,
    iv: o.iv as string,
    tag: o.tag as string,
    ciphertext: o.ciphertext as string,
  };
}

/** The PKCS#8 DER. The caller zeroes it when done. Wrong passphrase (or a tampered file) → CA_PASSPHRASE. */
export async function openSealedKey(sealed: SealedKey, passphrase: string): Promise<Uint8Array> {
  const key = await scrypt(passphrase, Buffer.from(sealed.salt, 'base64'), sealed.kdf);
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(sealed.iv, 'base64'));
    decipher.setAAD(header(sealed));
    decipher.setAuthTag(Buffer.from(sealed.tag, 'base64'));
    const out = decipher.update(Buffer.from(sealed.ciphertext, 'base64'));
    try {
      return new Uint8Array(Buffer.concat([out, decipher.final()]));
    } catch {
      throw new FieldlineError('CA_PASSPHRASE', 'the passphrase does not open the station CA key');
    } finally {
      out.fill(0);
    }
  } finally {
    key.fill(0);
  }
}

/** Encrypts and writes the key file (mode 0600, atomically). */
export async function writeSealedKey(path: string, pkcs8Der: Uint8Array, passphrase: string): Promise<void> {
  const sealed = await sealPrivateKey(pkcs8Der, passphrase);
  await writeFileAtomic(path, JSON.stringify(sealed, null, 2) + '\n');
}

export async function readSealedKey(path: string, passphrase: string): Promise<Uint8Array> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new FieldlineError('CA_NOT_INITIALIZED', `no CA key at ${path}`, { path }, { cause: err });
    }
    throw err;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new FieldlineError('CA_FILES_INVALID', `the encrypted key file ${path} is not JSON`, { path }, { cause: err });
  }
  return openSealedKey(parseSealedKey(json), passphrase);
}
