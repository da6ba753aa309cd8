/**
 * The station CA key in a PKCS#11 token as a CaSigningKey, and the small reference file that says where it is.
 *
 * Signing: the token gets a digest made here and signs it with CKM_ECDSA — the one ECDSA mechanism every token
 * has (SoftHSM2 signs with nothing else) — and returns raw r‖s, the same shape WebCrypto gives, so issue.ts and
 * the CRL writer DER-encode it as they do for a file key.
 *
 * The reference file (`<ca>/intermediate.key.pkcs11.json`) holds the module path, the token's label and serial, and
 * the key's label and CKA_ID — never the PIN. It replaces the sealed key file: a token CA has no key on disk.
 */
import { createHash, createPublicKey, type KeyObject } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { FieldlineError } from '../errors';
import { writeFileAtomic } from './files';
import type { TokenApi, TokenKeyInfo } from './pkcs11-token';
import type { CaSigningKey } from './x509-crypto';

const CURVE_HASH = { 'P-256': { node: 'sha256', web: 'SHA-256', coordinate: 32 }, 'P-384': { node: 'sha384', web: 'SHA-384', coordinate: 48 } } as const;

/** A Node public key from the token's uncompressed EC point (04‖x‖y). */
export function publicKeyFromPoint(curve: TokenKeyInfo['curve'], point: Uint8Array): KeyObject {
  const size = CURVE_HASH[curve].coordinate;
  if (point.length !== 1 + 2 * size || point[0] !== 0x04) {
    throw new FieldlineError('PKCS11_TOKEN', `the token's public key is not an uncompressed ${curve} point (${point.length} bytes)`);
  }
  const b64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64url');
  return createPublicKey({ key: { kty: 'EC', crv: curve, x: b64(point.subarray(1, 1 + size)), y: b64(point.subarray(1 + size)) }, format: 'jwk' });
}

/** Signs through the token: the session's queue serialises concurrent issues, the session bounds each call. */
export function tokenSigningKey<K extends TokenKeyInfo>(session: TokenApi<K>, key: K): CaSigningKey {
  const hash = CURVE_HASH[key.curve];
  return {
    publicKey: publicKeyFromPoint(key.curve, key.point),
    algorithm: { name: 'ECDSA', hash: hash.web },
    sign: (data) => session.signDigest(key, createHash(hash.node).update(data).digest()),
  };
}

export interface Pkcs11KeyRef {
  version: 1;
  store: 'pkcs11';
  module: string;
  token: { label: string; serial: string };
  key: { label: string; id: string };
}

export function keyRefOf(session: TokenApi<TokenKeyInfo>, key: TokenKeyInfo): Pkcs11KeyRef {
  return { version: 1, store: 'pkcs11', module: session.location.module, token: { label: session.token.label, serial: session.token.serial }, key: { label: key.label, id: key.id } };
}

export async function writeKeyRef(path: string, ref: Pkcs11KeyRef): Promise<void> {
  await writeFileAtomic(path, JSON.stringify(ref, null, 2) + '\n');
}

/** A reference is a few hundred bytes; anything much larger is not one, and is not read. */
const MAX_KEY_REF_BYTES = 16 * 1024;
const MAX_FIELD = 1024;

const text = (v: unknown, max = MAX_FIELD): v is string => typeof v === 'string' && v.length > 0 && v.length <= max;

/** Reads and checks the reference file. CA_FILES_INVALID for anything that is not one; undefined when absent. */
export async function readKeyRef(path: string): Promise<Pkcs11KeyRef | undefined> {
  const invalid = (why: string, cause?: unknown): FieldlineError =>
    new FieldlineError('CA_FILES_INVALID', `${path} ${why}`, { path }, cause === undefined ? undefined : { cause });
  let size: number;
  try {
    const s = await stat(path);
    if (!s.isFile()) throw invalid('is not a regular file');
    size = s.size;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  if (size > MAX_KEY_REF_BYTES) throw invalid(`is ${size} bytes, more than a key reference (${MAX_KEY_REF_BYTES})`);
  let json: unknown;
  try {
    json = JSON.parse(await readFile(path, 'utf8'));
  } catch (err) {
    throw invalid('is not JSON', err);
  }
  const o = (typeof json === 'object' && json !== null ? json : {}) as Record<string, unknown>;
  const token = (o.token ?? {}) as Record<string, unknown>;
  const key = (o.key ?? {}) as Record<string, unknown>;
  if (o.version !== 1 || o.store !== 'pkcs11' || !text(o.module) || !text(token.label, 32) || typeof token.serial !== 'string' || token.serial.length > 16) {
    throw invalid('is not a PKCS#11 key reference (version 1)');
  }
  if (typeof key.label !== 'string' || key.label.length > MAX_FIELD || typeof key.id !== 'string' || !/^([0-9a-f]{2}){1,64}$/.test(key.id)) throw invalid('names no key (label and hex id)');
  return { version: 1, store: 'pkcs11', module: o.module, token: { label: token.label, serial: token.serial }, key: { label: key.label, id: key.id } };
}
