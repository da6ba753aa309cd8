/**
 * MCUboot's TLV types (bootutil/image.h) by name, and which may stand outside the protected area. A TLV there is not
 * covered by the hash or the signature, so MCUboot (image_validate.c, `allowed_unprot_tlvs`) refuses any type that
 * means something for boot — a security counter, a dependency — unless it is in the protected area.
 */
import type { ImageTlv } from './mcuboot-image';

export const TLV = {
  KEYHASH: 0x01,
  PUBKEY: 0x02,
  SHA256: 0x10,
  SHA384: 0x11,
  SHA512: 0x12,
  RSA2048_PSS: 0x20,
  ECDSA224: 0x21,
  ECDSA_SIG: 0x22,
  RSA3072_PSS: 0x23,
  ED25519: 0x24,
  SIG_PURE: 0x25,
  ENC_RSA2048: 0x30,
  ENC_KW: 0x31,
  ENC_EC256: 0x32,
  ENC_X25519: 0x33,
  ENC_X25519_SHA512: 0x34,
  DEPENDENCY: 0x40,
  SEC_CNT: 0x50,
  BOOT_RECORD: 0x60,
  DECOMP_SIZE: 0x70,
  DECOMP_SHA: 0x71,
  DECOMP_SIGNATURE: 0x72,
} as const;

const NAMES = new Map<number, string>(Object.entries(TLV).map(([name, type]) => [type, name]));

/** The types MCUboot lets stand in the unprotected area: key ids, hashes, signatures and encryption keys. */
export const UNPROTECTED_ALLOWED: ReadonlySet<number> = new Set([
  TLV.KEYHASH,
  TLV.PUBKEY,
  TLV.SHA256,
  TLV.SHA384,
  TLV.SHA512,
  TLV.RSA2048_PSS,
  TLV.ECDSA224,
  TLV.ECDSA_SIG,
  TLV.RSA3072_PSS,
  TLV.ED25519,
  TLV.SIG_PURE,
  TLV.ENC_RSA2048,
  TLV.ENC_KW,
  TLV.ENC_EC256,
  TLV.ENC_X25519,
  TLV.ENC_X25519_SHA512,
]);

/** "SHA256", or "vendor 0xa0" / "unknown 0x7f" for types MCUboot does not define. */
export function tlvName(type: number): string {
  const name = NAMES.get(type);
  if (name) return name;
  const hex = `0x${type.toString(16).padStart(2, '0')}`;
  return type >= 0xa0 && type <= 0xfe ? `vendor ${hex}` : `unknown ${hex}`;
}

const HEX_SHOWN = 32;

/** One TLV for `firmware info`: its value as hex (cut after 32 bytes) or, for a security counter, the number. */
export function summarizeTlv(tlv: ImageTlv): { type: number; name: string; length: number; value: string } {
  const { type, data } = tlv;
  let value: string;
  if (type === TLV.SEC_CNT && data.length === 4) {
    value = String(new DataView(data.buffer, data.byteOffset, 4).getUint32(0, true));
  } else {
    const hex = Buffer.from(data.subarray(0, HEX_SHOWN)).toString('hex');
    value = data.length > HEX_SHOWN ? `${hex}… (${data.length} bytes)` : hex;
  }
  return { type, name: tlvName(type), length: data.length, value };
}
