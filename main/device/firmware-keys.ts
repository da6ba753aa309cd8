/**
 * Public keys that firmware images may be signed with, as MCUboot knows them. MCUboot finds the key an image names
 * by the image's KEYHASH TLV: the SHA-256 of the key exactly as the bootloader stores it, which imgtool writes as the
 * PKCS#1 RSAPublicKey DER for RSA and as the SubjectPublicKeyInfo DER for ECDSA P-256 and Ed25519 (imgtool's
 * `get_public_bytes`; MCUboot's image_ecdsa.c and image_ed25519.c parse an SPKI, image_rsa.c a bare RSAPublicKey).
 * The fixture README checks this for RSA against a real image. That hash is also the key's fingerprint here: it is
 * what a signed image carries, so a person can match the two by eye.
 */
import { createHash, createPublicKey, type KeyObject } from 'node:crypto';
import type { z } from 'zod';
import type { firmwareKeyAlgorithmSchema } from '../contract/run-record';
import { FieldlineError } from '../errors';

export type FirmwareKeyAlgorithm = z.infer<typeof firmwareKeyAlgorithmSchema>;

export interface FirmwareKey {
  algorithm: FirmwareKeyAlgorithm;
  /** SHA-256 (hex) of the key as MCUboot stores it: what the image's KEYHASH TLV holds. */
  keyHash: string;
  key: KeyObject;
  /** Where the key came from, for messages: a file path or "signingKeys[0]". */
  source: string;
}

/** A PEM public key is under 1 KiB (RSA-3072 SPKI: 625 bytes); 16 KiB leaves room for comments and CRLFs. */
export const FIRMWARE_KEY_MAX_BYTES = 16 * 1024;

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----[\s\S]*?-----END \1-----/g;
const ACCEPTED_LABELS = new Set(['PUBLIC KEY', 'RSA PUBLIC KEY']);

function invalid(source: string, reason: string): FieldlineError {
  return new FieldlineError('FIRMWARE_KEY_INVALID', `${source}: ${reason}`, { source });
}

function algorithmOf(key: KeyObject, source: string): FirmwareKeyAlgorithm {
  const type = key.asymmetricKeyType;
  const details = key.asymmetricKeyDetails ?? {};
  if (type === 'rsa') {
    if (details.modulusLength === 2048) return 'rsa-2048';
    if (details.modulusLength === 3072) return 'rsa-3072';
    throw invalid(source, `an RSA key of ${details.modulusLength ?? '?'} bits; MCUboot signs with RSA-2048 or RSA-3072`);
  }
  if (type === 'ec') {
    if (details.namedCurve === 'prime256v1') return 'ecdsa-p256';
    throw invalid(source, `an EC key on ${details.namedCurve ?? 'an unknown curve'}; only P-256 (prime256v1) is supported`);
  }
  if (type === 'ed25519') return 'ed25519';
  throw invalid(source, `a ${type ?? 'unknown'} key; MCUboot signs with RSA-2048/3072 (PSS), ECDSA P-256 or Ed25519`);
}

/** The bytes MCUboot hashes for the KEYHASH TLV (see the file comment). */
function storedForm(key: KeyObject, algorithm: FirmwareKeyAlgorithm): Buffer {
  return algorithm === 'rsa-2048' || algorithm === 'rsa-3072'
    ? key.export({ type: 'pkcs1', format: 'der' })
    : key.export({ type: 'spki', format: 'der' });
}

/**
 * Reads one PEM public key (SubjectPublicKeyInfo `PUBLIC KEY`, or PKCS#1 `RSA PUBLIC KEY`). A private key, a
 * certificate, several keys in one text or anything over FIRMWARE_KEY_MAX_BYTES is refused with FIRMWARE_KEY_INVALID:
 * a trust list must say exactly which public keys it trusts.
 */
export function parseFirmwareKey(pem: string, source: string): FirmwareKey {
  if (pem.length > FIRMWARE_KEY_MAX_BYTES) throw invalid(source, `${pem.length} characters; a PEM public key is at most ${FIRMWARE_KEY_MAX_BYTES}`);
  const blocks = [...pem.matchAll(PEM_BLOCK)];
  if (blocks.length === 0) throw invalid(source, 'no PEM block (-----BEGIN PUBLIC KEY-----)');
  if (blocks.length > 1) throw invalid(source, `${blocks.length} PEM blocks; give one key per entry`);
  const [block] = blocks as [RegExpExecArray];
  const label = block[1] as string;
  if (!ACCEPTED_LABELS.has(label)) {
    throw invalid(source, `a "${label}" block; give the public key only (PUBLIC KEY or RSA PUBLIC KEY)`);
  }
  let key: KeyObject;
  try {
    key = createPublicKey(label === 'RSA PUBLIC KEY' ? { key: block[0], format: 'pem', type: 'pkcs1' } : { key: block[0], format: 'pem' });
  } catch (err) {
    throw new FieldlineError('FIRMWARE_KEY_INVALID', `${source}: not a readable public key (${(err as Error).message})`, { source }, { cause: err });
  }
  const algorithm = algorithmOf(key, source);
  const keyHash = createHash('sha256').update(storedForm(key, algorithm)).digest('hex');
  return { algorithm, keyHash, key, source };
}

/** MCUboot's name of the algorithm, for reports: "RSA-2048 PSS". */
export function algorithmLabel(algorithm: FirmwareKeyAlgorithm): string {
  switch (algorithm) {
    case 'rsa-2048':
      return 'RSA-2048 PSS';
    case 'rsa-3072':
      return 'RSA-3072 PSS';
    case 'ecdsa-p256':
      return 'ECDSA P-256';
    case 'ed25519':
      return 'Ed25519';
  }
}
