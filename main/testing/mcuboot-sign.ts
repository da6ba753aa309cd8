/**
 * Signed MCUboot images for tests, built as imgtool builds them (imgtool/image.py): header, body, optional protected
 * TLVs, then the unprotected area with the SHA-256 of header + body + protected TLVs, the KEYHASH of the signing key
 * and the signature — RSA-PSS (SHA-256, salt 32) and ECDSA P-256 (DER) over that region, Ed25519 over its digest.
 */
import { createHash, generateKeyPairSync, sign, constants, type KeyObject } from 'node:crypto';
import { makeMcubootImage, TLV_INFO_MAGIC } from '../device/mcuboot-image';
import { parseFirmwareKey, type FirmwareKeyAlgorithm } from '../device/firmware-keys';
import { TLV } from '../device/mcuboot-tlv';

export interface TestSigningKey {
  algorithm: FirmwareKeyAlgorithm;
  privateKey: KeyObject;
  /** SPKI PEM of the public half, as `imgtool getpub --encoding pem` writes it. */
  publicPem: string;
  /** The MCUboot key hash of the public half. */
  keyHash: string;
}

export function makeSigningKey(algorithm: FirmwareKeyAlgorithm): TestSigningKey {
  const pair =
    algorithm === 'rsa-2048' || algorithm === 'rsa-3072'
      ? generateKeyPairSync('rsa', { modulusLength: algorithm === 'rsa-2048' ? 2048 : 3072 })
      : algorithm === 'ecdsa-p256'
        ? generateKeyPairSync('ec', { namedCurve: 'prime256v1' })
        : generateKeyPairSync('ed25519');
  const publicPem = pair.publicKey.export({ type: 'spki', format: 'pem' }).toString();
  return { algorithm, privateKey: pair.privateKey, publicPem, keyHash: parseFirmwareKey(publicPem, 'test key').keyHash };
}

const SIGNATURE_TLV: Record<FirmwareKeyAlgorithm, number> = {
  'rsa-2048': TLV.RSA2048_PSS,
  'rsa-3072': TLV.RSA3072_PSS,
  'ecdsa-p256': TLV.ECDSA_SIG,
  ed25519: TLV.ED25519,
};

export interface SignedImageOptions {
  version: string;
  /** Body bytes (default 4096). */
  bodySize?: number;
  /** Signs with this key; omitted, the image carries only its SHA-256 (unsigned). */
  key?: TestSigningKey;
  protectedTlvs?: Array<{ type: number; data: Uint8Array }>;
  /** TLVs written after the signature in the unprotected area (to try rogue ones). */
  extraTlvs?: Array<{ type: number; data: Uint8Array }>;
  /** Pad an ECDSA signature with zeros to 72 bytes, as imgtool --pad-sig does. */
  padSignature?: boolean;
}

function tlvBytes(type: number, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + data.length);
  const v = new DataView(out.buffer);
  v.setUint16(0, type, true);
  v.setUint16(2, data.length, true);
  out.set(data, 4);
  return out;
}

function signRegion(key: TestSigningKey, region: Uint8Array, digest: Uint8Array, pad: boolean): Uint8Array {
  switch (key.algorithm) {
    case 'rsa-2048':
    case 'rsa-3072':
      return sign('sha256', region, { key: key.privateKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 });
    case 'ecdsa-p256': {
      let der = sign('sha256', region, key.privateKey);
      if (!pad) return der;
      // A DER signature is 70–72 bytes (r and s each lose or keep a sign byte), and a 72-byte one has nothing to pad:
      // ECDSA signatures are random, so sign again until there is padding to show (about one try in four is 72).
      while (der.length >= 72) der = sign('sha256', region, key.privateKey);
      const padded = new Uint8Array(72);
      padded.set(der);
      return padded;
    }
    case 'ed25519':
      return sign(null, digest, key.privateKey);
  }
}

/** An MCUboot image signed with `options.key` (or unsigned without one). */
export function makeSignedImage(options: SignedImageOptions): Uint8Array {
  const hdrSize = 0x200;
  const body = options.bodySize ?? 4096;
  const prot = options.protectedTlvs ?? [];
  const protSize = prot.length ? 4 + prot.reduce((n, t) => n + 4 + t.data.length, 0) : 0;
  // makeMcubootImage writes header, body, protected area and a 40-byte SHA-256-only area; that last one is rebuilt.
  const base = makeMcubootImage({ version: options.version, size: hdrSize + body + protSize + 40, protectedTlvs: prot });
  const region = base.subarray(0, hdrSize + body + protSize);
  const digest = new Uint8Array(createHash('sha256').update(region).digest());
  const tlvs = [tlvBytes(TLV.SHA256, digest)];
  if (options.key) {
    tlvs.push(tlvBytes(TLV.KEYHASH, Buffer.from(options.key.keyHash, 'hex')));
    tlvs.push(tlvBytes(SIGNATURE_TLV[options.key.algorithm], signRegion(options.key, region, digest, options.padSignature ?? false)));
  }
  for (const t of options.extraTlvs ?? []) tlvs.push(tlvBytes(t.type, t.data));
  const total = 4 + tlvs.reduce((n, t) => n + t.length, 0);
  const out = new Uint8Array(region.length + total);
  out.set(region);
  const v = new DataView(out.buffer);
  v.setUint16(region.length, TLV_INFO_MAGIC, true);
  v.setUint16(region.length + 2, total, true);
  let at = region.length + 4;
  for (const t of tlvs) {
    out.set(t, at);
    at += t.length;
  }
  return out;
}
