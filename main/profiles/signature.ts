/**
 * Detached Ed25519 signatures for profiles: `<file>.sig` beside the profile, a small JSON document naming the
 * signer's key id and carrying the signature over the exact file bytes. Exact bytes, not the parsed YAML: what a
 * publisher reviewed and signed is what the station runs, down to comments and whitespace.
 *
 * The station's trust policy: trusted publisher keys are files `<dataDir>/trust/*.pub.pem`; a station may require
 * every profile to be signed by one of them. A signature that does not match its file is refused even when
 * signatures are optional: it means the file changed after the publisher signed it.
 */
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { FieldlineError, isFieldlineError } from '../errors';
import { LOAD_LIMITS } from './limits';
import { readRegularFile, type FileCap } from './regular-file';

export const SIGNATURE_FORMAT = 'fieldline-signature/v1';

// Every file read here may sit where someone else put it: each is read as a regular file within a cap
// (regular-file.ts). A signature file is about 200 bytes and a PEM public key about 110.
const PROFILE_CAP: FileCap = { maxBytes: LOAD_LIMITS.profileBytes, what: 'profile' };
const SIGNATURE_CAP: FileCap = { maxBytes: 64 * 1024, what: 'signature file' };
const KEY_CAP: FileCap = { maxBytes: 64 * 1024, what: 'trusted key file' };
const readText = async (path: string, cap: FileCap): Promise<string> => new TextDecoder().decode(await readRegularFile(path, cap));

export interface SignatureFile {
  format: typeof SIGNATURE_FORMAT;
  algorithm: 'ed25519';
  /** First 16 hex digits of the SHA-256 of the signer's public key (SPKI DER). */
  keyId: string;
  /** Base64 Ed25519 signature over the profile file's bytes. */
  signature: string;
}

export interface PublisherKeyPair {
  privateKeyPem: string;
  publicKeyPem: string;
  keyId: string;
}

/**
 * `trusted`: signed by one of the trusted keys and the signature verifies. `unknown-signer`: signed, but by a key
 * the station does not trust (so the signature cannot be checked). `bad-signature`: a trusted key's signature that
 * does not match the bytes — the file was changed after signing. `malformed`: the .sig file is not one of ours.
 */
export type SignatureStatus = 'unsigned' | 'malformed' | 'unknown-signer' | 'bad-signature' | 'trusted';

export interface VerifyResult {
  status: SignatureStatus;
  signed: boolean;
  trusted: boolean;
  keyId: string | null;
}

export type KeyInput = KeyObject | string;

export const signaturePath = (profilePath: string): string => `${profilePath}.sig`;

export function generatePublisherKey(): PublisherKeyPair {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return {
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    keyId: keyIdOf(publicKey),
  };
}

/** The key id of a public key, or of the public half of a private key. */
export function keyIdOf(key: KeyInput): string {
  const object = typeof key === 'string' ? publicKeyFrom(key) : key.type === 'private' ? createPublicKey(key) : key;
  const spki = object.export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(spki).digest('hex').slice(0, 16);
}

/** An Ed25519 public key from PEM (a private key PEM yields its public half); INVALID_ARGUMENT otherwise. */
export function publicKeyFrom(pem: string): KeyObject {
  let key: KeyObject;
  try {
    key = createPublicKey(pem);
  } catch (err) {
    throw new FieldlineError('INVALID_ARGUMENT', 'not a public key in PEM', {}, { cause: err });
  }
  if (key.asymmetricKeyType !== 'ed25519') throw new FieldlineError('INVALID_ARGUMENT', `a ${key.asymmetricKeyType ?? 'non-asymmetric'} key, not Ed25519`);
  return key;
}

/** Signs bytes; returns the .sig file's text. */
export function signBytes(bytes: Uint8Array, privateKeyPem: string): string {
  let key: KeyObject;
  try {
    key = createPrivateKey(privateKeyPem);
  } catch (err) {
    throw new FieldlineError('INVALID_ARGUMENT', 'the signing key is not a private key in PEM', {}, { cause: err });
  }
  if (key.asymmetricKeyType !== 'ed25519') throw new FieldlineError('INVALID_ARGUMENT', 'the signing key is not an Ed25519 key');
  const file: SignatureFile = {
    format: SIGNATURE_FORMAT,
    algorithm: 'ed25519',
    keyId: keyIdOf(key),
    signature: sign(null, bytes, key).toString('base64'),
  };
  return JSON.stringify(file, null, 2) + '\n';
}

/** Writes `<path>.sig` over the file's current bytes. */
export async function signProfile(path: string, privateKeyPem: string): Promise<{ signaturePath: string; keyId: string }> {
  const text = signBytes(await readRegularFile(path, PROFILE_CAP), privateKeyPem);
  await writeFile(signaturePath(path), text);
  return { signaturePath: signaturePath(path), keyId: (JSON.parse(text) as SignatureFile).keyId };
}

/** Checks a signature text against bytes; `signatureText` undefined means unsigned. */
export function verifyBytes(bytes: Uint8Array, signatureText: string | undefined, trustedKeys: readonly KeyInput[]): VerifyResult {
  if (signatureText === undefined) return { status: 'unsigned', signed: false, trusted: false, keyId: null };
  const sig = parseSignatureFile(signatureText);
  if (!sig) return { status: 'malformed', signed: true, trusted: false, keyId: null };
  const keys = trustedKeys.map((k) => (typeof k === 'string' ? publicKeyFrom(k) : k));
  const key = keys.find((k) => keyIdOf(k) === sig.keyId);
  if (!key) return { status: 'unknown-signer', signed: true, trusted: false, keyId: sig.keyId };
  const ok = verify(null, bytes, key, Buffer.from(sig.signature, 'base64'));
  return { status: ok ? 'trusted' : 'bad-signature', signed: true, trusted: ok, keyId: sig.keyId };
}

/** Verifies `<path>.sig` against the file's bytes and the trusted keys. */
export async function verifyProfile(path: string, trustedKeys: readonly KeyInput[]): Promise<VerifyResult> {
  const bytes = await readRegularFile(path, PROFILE_CAP);
  return verifyBytes(bytes, await readSignatureText(path), trustedKeys);
}

/** The .sig text beside a profile, or undefined when there is none. */
export async function readSignatureText(profilePath: string): Promise<string | undefined> {
  try {
    return await readText(signaturePath(profilePath), SIGNATURE_CAP);
  } catch (err) {
    if (isFieldlineError(err, 'FILE_NOT_FOUND')) return undefined;
    throw err;
  }
}

function parseSignatureFile(text: string): SignatureFile | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  const v = value as Partial<Record<keyof SignatureFile, unknown>> | null;
  if (!v || typeof v !== 'object') return undefined;
  if (v.format !== SIGNATURE_FORMAT || v.algorithm !== 'ed25519') return undefined;
  if (typeof v.keyId !== 'string' || !/^[0-9a-f]{16}$/.test(v.keyId)) return undefined;
  // Ed25519 signatures are 64 bytes: 88 base64 characters with padding.
  if (typeof v.signature !== 'string' || !/^[A-Za-z0-9+/]{86}==$/.test(v.signature)) return undefined;
  return { format: SIGNATURE_FORMAT, algorithm: 'ed25519', keyId: v.keyId, signature: v.signature };
}

// ---- The station's trust policy ----

export const TRUST_FOLDER = 'trust';
const KEY_SUFFIX = '.pub.pem';

export interface TrustedKey {
  file: string;
  key: KeyObject;
}

/** The trusted publisher keys of a data directory (none when trust/ does not exist). */
export async function loadTrustedKeyFiles(dataDir: string): Promise<TrustedKey[]> {
  const dir = join(dataDir, TRUST_FOLDER);
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const out: TrustedKey[] = [];
  for (const name of names.filter((n) => n.endsWith(KEY_SUFFIX)).sort()) {
    const file = join(dir, name);
    out.push({ file, key: readPublicKeyFile(file, await readText(file, KEY_CAP)) });
  }
  return out;
}

export async function loadTrustedKeys(dataDir: string): Promise<KeyObject[]> {
  return (await loadTrustedKeyFiles(dataDir)).map((k) => k.key);
}

/** Parses a trusted key file; a broken one is an error, never silently skipped (it would quietly trust less). */
export function readPublicKeyFile(file: string, pem: string): KeyObject {
  try {
    return publicKeyFrom(pem);
  } catch (err) {
    if (isFieldlineError(err, 'INVALID_ARGUMENT')) throw new FieldlineError('TRUST_KEY_INVALID', `${file}: ${err.message}`, { file }, { cause: err });
    throw err;
  }
}

export interface TrustPolicy {
  dataDir: string;
  /** Refuse profiles that are not signed by a trusted key. */
  required: boolean;
  /** Extra keys trusted besides the data directory's (for example from --trust). */
  extraKeys?: readonly KeyInput[];
}

/**
 * Verifies a profile's detached signature under the station's policy and returns what it found. Pass the loaded
 * profile (its path and bytes) to check exactly the bytes that will run. Throws PROFILE_SIGNATURE when the policy
 * refuses the profile.
 */
export async function checkProfileTrust(profile: string | { path: string; bytes: Uint8Array }, policy: TrustPolicy): Promise<VerifyResult> {
  const path = typeof profile === 'string' ? profile : profile.path;
  const bytes = typeof profile === 'string' ? await readRegularFile(profile, PROFILE_CAP) : profile.bytes;
  const keys = [...(await loadTrustedKeys(policy.dataDir)), ...(policy.extraKeys ?? [])];
  const result = verifyBytes(bytes, await readSignatureText(path), keys);
  const refusal = refusalReason(result, path, policy, keys.length);
  if (refusal) throw new FieldlineError('PROFILE_SIGNATURE', refusal, { path, ...result });
  return result;
}

/** The technician's words for why a profile is refused, or undefined when the policy accepts it. */
export function refusalReason(result: VerifyResult, path: string, policy: Pick<TrustPolicy, 'dataDir' | 'required'>, keyCount: number): string | undefined {
  const trustDir = join(policy.dataDir, TRUST_FOLDER);
  switch (result.status) {
    case 'trusted':
      return undefined;
    case 'bad-signature':
      return `${path} was changed after key ${result.keyId} signed it: the signature does not match the file`;
    case 'malformed':
      return `${signaturePath(path)} is not a Fieldline signature file`;
    case 'unsigned':
      return policy.required ? `${path} is not signed (no ${signaturePath(path)}), and this station requires signed profiles` : undefined;
    case 'unknown-signer':
      if (!policy.required) return undefined;
      return keyCount === 0
        ? `${path} is signed by key ${result.keyId}, but this station trusts no publisher keys yet (none in ${trustDir})`
        : `${path} is signed by key ${result.keyId}, which is not among the trusted keys in ${trustDir}`;
  }
}
