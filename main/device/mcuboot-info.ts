/**
 * What `fieldline firmware info` shows of an MCUboot image: the header's fields, the sizes, and every TLV with its
 * name — read only, nothing verified against a key (that is `firmware verify`). A malformed image is refused with
 * FIRMWARE_IMAGE_MALFORMED, as verification refuses it.
 */
import { FieldlineError, isFieldlineError } from '../errors';
import { formatVersion, parseMcubootImage, type McubootImage } from './mcuboot-image';
import { summarizeTlv, TLV, tlvName } from './mcuboot-tlv';

/** IMAGE_F_* of bootutil/image.h. */
const FLAGS: ReadonlyArray<[number, string]> = [
  [0x01, 'PIC'],
  [0x04, 'ENCRYPTED_AES128'],
  [0x08, 'ENCRYPTED_AES256'],
  [0x10, 'NON_BOOTABLE'],
  [0x20, 'RAM_LOAD'],
  [0x100, 'ROM_FIXED'],
  [0x200, 'COMPRESSED_LZMA1'],
  [0x400, 'COMPRESSED_LZMA2'],
  [0x800, 'COMPRESSED_ARM_THUMB_FLT'],
];

const SIGNATURES = new Set<number>([TLV.RSA2048_PSS, TLV.ECDSA224, TLV.ECDSA_SIG, TLV.RSA3072_PSS, TLV.ED25519]);

export interface ImageInfo {
  version: string;
  flags: { value: string; names: string[] };
  loadAddress: string;
  sizes: { file: number; header: number; body: number; protectedTlvs: number; tlvs: number; trailing: number };
  /** The SHA-256 TLV (hex), and whether the image's bytes match it. */
  hash: string | null;
  hashValid: boolean;
  /** The signature TLVs' names ("RSA2048_PSS"); empty for an unsigned image. */
  signatures: string[];
  /** Key hashes the image names (KEYHASH TLVs). */
  keyHashes: string[];
  tlvs: Array<{ area: 'protected' | 'unprotected'; offset: number; type: number; name: string; length: number; value: string }>;
}

const hex32 = (n: number): string => `0x${n.toString(16).padStart(8, '0')}`;

export function imageInfo(bytes: Uint8Array): ImageInfo {
  let image: McubootImage;
  try {
    image = parseMcubootImage(bytes);
  } catch (err) {
    if (isFieldlineError(err, 'INVALID_ARGUMENT')) throw new FieldlineError('FIRMWARE_IMAGE_MALFORMED', err.message, err.details, { cause: err });
    throw err;
  }
  const tlvs = [
    ...image.protectedTlvs.map((t) => ({ area: 'protected' as const, offset: t.offset, ...summarizeTlv(t) })),
    ...image.tlvs.map((t) => ({ area: 'unprotected' as const, offset: t.offset, ...summarizeTlv(t) })),
  ];
  return {
    version: formatVersion(image.version),
    flags: { value: hex32(image.flags), names: FLAGS.filter(([bit]) => (image.flags & bit) !== 0).map(([, name]) => name) },
    loadAddress: hex32(image.loadAddr),
    sizes: {
      file: bytes.length,
      header: image.hdrSize,
      body: image.imgSize,
      protectedTlvs: image.protectTlvSize,
      tlvs: image.tlvSize,
      trailing: bytes.length - image.end,
    },
    hash: image.hash ? Buffer.from(image.hash).toString('hex') : null,
    hashValid: image.hashValid,
    signatures: image.tlvs.filter((t) => SIGNATURES.has(t.type)).map((t) => tlvName(t.type)),
    keyHashes: image.tlvs.filter((t) => t.type === TLV.KEYHASH).map((t) => Buffer.from(t.data).toString('hex')),
    tlvs,
  };
}
