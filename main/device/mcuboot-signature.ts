/**
 * Verifies an MCUboot image's signature as MCUboot's bootutil_img_validate does, against a list of trusted keys:
 *
 * 1. the SHA-256 TLV must equal the SHA-256 of header + body + protected TLV area (the signed region);
 * 2. the unprotected area may hold only key ids, hashes, signatures and encryption keys (allowed_unprot_tlvs);
 * 3. each signature TLV belongs to the KEYHASH (or PUBKEY) TLV before it, which is matched against the trusted keys
 *    first — a key that is not trusted is never tried;
 * 4. the signature is over the image hash: RSA-PSS (SHA-256, MGF1-SHA-256, salt 32) and ECDSA P-256 (DER, possibly
 *    zero-padded by imgtool's --pad-sig) sign the hashed region with SHA-256, which is the same thing; Ed25519 signs
 *    the 32-byte digest itself (image_ed25519.c: `ED25519_verify(hash, 32, sig, pubkey)`).
 *
 * Each way to fail is its own error code, so a technician reads which one it was. Pure: bytes and keys in, a result
 * or a FieldlineError out; callers bound the image's size before reading it.
 */
import { createHash, constants, verify } from 'node:crypto';
import { FieldlineError, isFieldlineError } from '../errors';
import { algorithmLabel, type FirmwareKey, type FirmwareKeyAlgorithm } from './firmware-keys';
import { formatVersion, parseMcubootImage, type McubootImage } from './mcuboot-image';
import { TLV, tlvName, UNPROTECTED_ALLOWED } from './mcuboot-tlv';

export interface VerifiedImage {
  algorithm: FirmwareKeyAlgorithm;
  /** The signing key's MCUboot key hash (hex): its fingerprint. */
  keyHash: string;
  /** Where the trusted key came from (a file, "signingKeys[0]"). */
  keySource: string;
  /** The image's SHA-256 TLV (hex): what the device's image state will report. */
  hash: string;
  /** imgtool notation, "1.2.3+4". */
  version: string;
  image: McubootImage;
}

const SIGNATURE_ALGORITHM = new Map<number, FirmwareKeyAlgorithm>([
  [TLV.RSA2048_PSS, 'rsa-2048'],
  [TLV.RSA3072_PSS, 'rsa-3072'],
  [TLV.ECDSA_SIG, 'ecdsa-p256'],
  [TLV.ED25519, 'ed25519'],
]);
const SIGNATURE_TYPES: ReadonlySet<number> = new Set([...SIGNATURE_ALGORITHM.keys(), TLV.ECDSA224, TLV.SIG_PURE]);

function malformed(message: string): FieldlineError {
  return new FieldlineError('FIRMWARE_IMAGE_MALFORMED', message);
}

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

/** The image parsed, with the parser's INVALID_ARGUMENT given this module's code. */
function parse(bytes: Uint8Array): McubootImage {
  try {
    return parseMcubootImage(bytes);
  } catch (err) {
    if (isFieldlineError(err, 'INVALID_ARGUMENT')) throw new FieldlineError('FIRMWARE_IMAGE_MALFORMED', err.message, err.details, { cause: err });
    throw err;
  }
}

/**
 * The DER ECDSA signature inside a TLV: imgtool may pad it with zeros to 72 bytes (--pad-sig), which MCUboot's ASN.1
 * parser ignores. Anything after the SEQUENCE other than zeros is refused, so no byte of the TLV goes unchecked.
 */
function ecdsaDer(data: Uint8Array): Uint8Array | undefined {
  if (data.length < 8 || data.length > 72 || data[0] !== 0x30) return undefined;
  const length = data[1] as number;
  if (length >= 0x80 || 2 + length > data.length) return undefined;
  if (data.subarray(2 + length).some((b) => b !== 0)) return undefined;
  return data.subarray(0, 2 + length);
}

const SIGNATURE_BYTES: Record<FirmwareKeyAlgorithm, number | undefined> = { 'rsa-2048': 256, 'rsa-3072': 384, 'ecdsa-p256': undefined, ed25519: 64 };

/** Does `signature` verify `region` (whose SHA-256 is `digest`) under `key`? A signature of the wrong shape does not. */
function signatureVerifies(key: FirmwareKey, signature: Uint8Array, region: Uint8Array, digest: Uint8Array): boolean {
  const expected = SIGNATURE_BYTES[key.algorithm];
  if (expected !== undefined && signature.length !== expected) return false;
  try {
    return verifyWith(key, signature, region, digest);
  } catch {
    // OpenSSL refuses some malformed signatures by throwing rather than answering false: still just a bad signature.
    return false;
  }
}

function verifyWith(key: FirmwareKey, signature: Uint8Array, region: Uint8Array, digest: Uint8Array): boolean {
  switch (key.algorithm) {
    case 'rsa-2048':
    case 'rsa-3072':
      return verify('sha256', region, { key: key.key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }, signature);
    case 'ecdsa-p256': {
      const der = ecdsaDer(signature);
      return der !== undefined && verify('sha256', region, { key: key.key, dsaEncoding: 'der' }, der);
    }
    case 'ed25519':
      return verify(null, digest, key.key, signature);
  }
}

interface SignatureEntry {
  type: number;
  data: Uint8Array;
  /** The key hash of the KEYHASH / PUBKEY TLV before it. */
  keyHash: string | undefined;
}

/** The unprotected area's signatures, each with the key id before it; rogue TLVs refused as MCUboot does. */
function signaturesOf(image: McubootImage): SignatureEntry[] {
  const entries: SignatureEntry[] = [];
  let keyHash: string | undefined;
  for (const tlv of image.tlvs) {
    if (!UNPROTECTED_ALLOWED.has(tlv.type)) {
      throw malformed(`TLV ${tlvName(tlv.type)} at offset ${tlv.offset} is outside the protected area, where MCUboot refuses it (it would not be signed)`);
    }
    if (tlv.type === TLV.KEYHASH) {
      if (tlv.data.length !== 32) throw malformed(`KEYHASH TLV at offset ${tlv.offset} is ${tlv.data.length} bytes, not 32`);
      keyHash = hex(tlv.data);
    } else if (tlv.type === TLV.PUBKEY) {
      // MCUboot with a key in hardware: the image carries the whole key; its hash is what the device trusts.
      keyHash = createHash('sha256').update(tlv.data).digest('hex');
    } else if (SIGNATURE_TYPES.has(tlv.type)) {
      entries.push({ type: tlv.type, data: tlv.data, keyHash });
    }
  }
  for (const tlv of image.protectedTlvs) {
    if (SIGNATURE_TYPES.has(tlv.type) || tlv.type === TLV.KEYHASH) {
      throw malformed(`TLV ${tlvName(tlv.type)} is in the protected area: a signature cannot cover itself`);
    }
  }
  return entries;
}

/**
 * Verifies `bytes` as a signed MCUboot image against `trusted`. Throws, in this order of checks: FIRMWARE_IMAGE_MALFORMED
 * (truncated, bad magic, lengths past the end, rogue TLVs, no SHA-256), FIRMWARE_HASH_MISMATCH, FIRMWARE_UNSIGNED,
 * FIRMWARE_KEY_UNTRUSTED (no signature names a trusted key), FIRMWARE_SIGNATURE_INVALID.
 */
export function verifyMcubootImage(bytes: Uint8Array, trusted: readonly FirmwareKey[]): VerifiedImage {
  const image = parse(bytes);
  if (!image.hash) throw malformed('the image carries no SHA-256 TLV (MCUboot needs one; SHA-384/512 images are not supported)');
  if (!image.hashValid) {
    throw new FieldlineError('FIRMWARE_HASH_MISMATCH', `the image's SHA-256 TLV is ${hex(image.hash)} but its header, body and protected TLVs hash to ${hex(image.computedHash)}`);
  }
  // MCUBOOT_SIGN_PURE signs the image itself instead of its digest; verifying it as a digest signature would report
  // a bad signature for an image that may be fine, so it is named instead.
  if ([...image.protectedTlvs, ...image.tlvs].some((t) => t.type === TLV.SIG_PURE)) {
    throw new FieldlineError('FIRMWARE_SIGNATURE_INVALID', 'the image is signed in MCUboot\'s pure mode (SIG_PURE TLV), which is not supported: sign it over the hash (imgtool without --pure)');
  }
  const signatures = signaturesOf(image);
  if (signatures.length === 0) {
    throw new FieldlineError('FIRMWARE_UNSIGNED', 'the image carries no signature TLV (only its SHA-256): it was not signed with imgtool --key');
  }
  const region = bytes.subarray(0, image.tlvOffset + image.protectTlvSize);
  const untrusted: string[] = [];
  const failures: string[] = [];
  for (const sig of signatures) {
    if (sig.keyHash === undefined) throw malformed(`the ${tlvName(sig.type)} signature has no KEYHASH TLV before it to name its key`);
    const key = trusted.find((k) => k.keyHash === sig.keyHash);
    if (!key) {
      untrusted.push(sig.keyHash);
      continue;
    }
    const algorithm = SIGNATURE_ALGORITHM.get(sig.type);
    if (algorithm !== key.algorithm) {
      failures.push(`a ${tlvName(sig.type)} signature cannot be made by ${key.source}, an ${algorithmLabel(key.algorithm)} key`);
      continue;
    }
    if (signatureVerifies(key, sig.data, region, image.hash)) {
      return { algorithm, keyHash: key.keyHash, keySource: key.source, hash: hex(image.hash), version: formatVersion(image.version), image };
    }
    failures.push(`the ${algorithmLabel(algorithm)} signature does not verify with ${key.source} (key hash ${key.keyHash})`);
  }
  if (failures.length > 0) throw new FieldlineError('FIRMWARE_SIGNATURE_INVALID', failures.join('; '));
  const trustedList = trusted.length === 0 ? 'no keys are trusted' : `trusted: ${trusted.map((k) => `${k.keyHash} (${k.source})`).join(', ')}`;
  throw new FieldlineError('FIRMWARE_KEY_UNTRUSTED', `the image is signed by the key with hash ${untrusted.join(', ')}; ${trustedList}`, {
    keyHashes: untrusted,
  });
}
