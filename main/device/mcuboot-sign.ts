/**
 * Signs an MCUboot image as `imgtool sign --key` does (imgtool/image.py): the header, body and protected TLV area
 * stay as they are; the unprotected area is written anew with the SHA-256 of those bytes, the KEYHASH of the key and
 * the signature — RSA-PSS (SHA-256, salt 32) or ECDSA P-256 (DER) over the region, Ed25519 over its digest. For
 * `fieldline sim make-image --sign-key`: synthetic signed images to try the firmware gate and `sim --require-signed`
 * with, without imgtool. Production images come from the firmware build, signed with the product's key there.
 */
import { constants, createHash, createPrivateKey, createPublicKey, sign, type KeyObject } from 'node:crypto';
import { FieldlineError } from '../errors';
import { parseFirmwareKey, type FirmwareKeyAlgorithm } from './firmware-keys';
import { parseMcubootImage, TLV_INFO_MAGIC } from './mcuboot-image';
import { TLV } from './mcuboot-tlv';

const SIGNATURE_TLV: Record<FirmwareKeyAlgorithm, number> = {
  'rsa-2048': TLV.RSA2048_PSS,
  'rsa-3072': TLV.RSA3072_PSS,
  'ecdsa-p256': TLV.ECDSA_SIG,
  ed25519: TLV.ED25519,
};

/** A private key from PEM (PKCS#8, or the traditional RSA/EC forms openssl and imgtool write); never an encrypted one. */
export function readSigningKey(pem: string, source: string): KeyObject {
  try {
    return createPrivateKey({ key: pem, format: 'pem' });
  } catch (err) {
    throw new FieldlineError('FIRMWARE_KEY_INVALID', `${source}: not an unencrypted PEM private key (${(err as Error).message})`, { source }, { cause: err });
  }
}

function tlv(type: number, data: Uint8Array): Buffer {
  const head = Buffer.alloc(4);
  head.writeUInt16LE(type, 0);
  head.writeUInt16LE(data.length, 2);
  return Buffer.concat([head, data]);
}

/** The image signed with `privateKey`; its own unprotected TLVs (an old hash or signature) are replaced. */
export function signMcubootImage(image: Uint8Array, privateKey: KeyObject, source = 'signing key'): Uint8Array {
  const parsed = parseMcubootImage(image);
  const publicPem = createPublicKey(privateKey).export({ type: 'spki', format: 'pem' }).toString();
  const key = parseFirmwareKey(publicPem, source);
  const region = image.subarray(0, parsed.tlvOffset + parsed.protectTlvSize);
  const digest = createHash('sha256').update(region).digest();
  const signature =
    key.algorithm === 'ed25519'
      ? sign(null, digest, privateKey)
      : key.algorithm === 'ecdsa-p256'
        ? sign('sha256', region, privateKey)
        : sign('sha256', region, { key: privateKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 });
  const tlvs = Buffer.concat([tlv(TLV.SHA256, digest), tlv(TLV.KEYHASH, Buffer.from(key.keyHash, 'hex')), tlv(SIGNATURE_TLV[key.algorithm], signature)]);
  const info = Buffer.alloc(4);
  info.writeUInt16LE(TLV_INFO_MAGIC, 0);
  info.writeUInt16LE(4 + tlvs.length, 2);
  return new Uint8Array(Buffer.concat([region, info, tlvs]));
}
