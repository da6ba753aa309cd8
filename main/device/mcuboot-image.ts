/**
 * MCUboot image format (mcu-tools/mcuboot `image.h`): a 32-byte little-endian header padded to `hdr_size`, the
 * application, then an optional protected TLV area (info magic 0x6908, covered by the hash) and the unprotected
 * TLV area (magic 0x6907) holding the SHA-256 of header + image + protected TLVs. Images reach us from the wire,
 * so every length is checked against the bytes present before it is used.
 */
import { createHash } from 'node:crypto';
import { FieldlineError } from '../errors';

export const IMAGE_MAGIC = 0x96f3b83d;
export const IMAGE_HEADER_SIZE = 32;
export const TLV_INFO_MAGIC = 0x6907;
export const TLV_PROT_INFO_MAGIC = 0x6908;
export const TLV_SHA256 = 0x10;
/** `IMAGE_F_NON_BOOTABLE`: Zephyr reports such a slot with `bootable: false`. */
export const IMAGE_F_NON_BOOTABLE = 0x10;

export interface ImageVersion {
  major: number;
  minor: number;
  revision: number;
  build: number;
}

export interface ImageTlv {
  type: number;
  /** Offset of the TLV's 4-byte head in the file. */
  offset: number;
  data: Uint8Array;
}

export interface McubootImage {
  loadAddr: number;
  hdrSize: number;
  protectTlvSize: number;
  imgSize: number;
  flags: number;
  version: ImageVersion;
  /** Offset of the first TLV info header (protected if present, else unprotected): hdr_size + img_size. */
  tlvOffset: number;
  /** Total size of the unprotected TLV area including its 4-byte info header. */
  tlvSize: number;
  /** End of the TLV areas; bytes after it (flash padding) are ignored, as MCUboot does. */
  end: number;
  protectedTlvs: ImageTlv[];
  tlvs: ImageTlv[];
  /** The SHA-256 TLV (the `hash` Zephyr's image state reports), if the image carries one. */
  hash: Uint8Array | undefined;
  /** SHA-256 over header + image + protected TLVs, what MCUboot compares the TLV against. */
  computedHash: Uint8Array;
  hashValid: boolean;
}

function malformed(message: string, details: Record<string, unknown> = {}): FieldlineError {
  return new FieldlineError('INVALID_ARGUMENT', `MCUboot image: ${message}`, details);
}

function view(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Parses one TLV area starting at `start`; `expectedTotal` is known for the protected area (from the header). */
function parseTlvArea(bytes: Uint8Array, start: number, magic: number, expectedTotal?: number): { tlvs: ImageTlv[]; total: number } {
  if (start + 4 > bytes.length) throw malformed(`TLV info header at ${start} runs past the end (${bytes.length} bytes)`);
  const v = view(bytes);
  const found = v.getUint16(start, true);
  if (found !== magic) {
    throw malformed(`TLV info magic at ${start} is 0x${found.toString(16)}, expected 0x${magic.toString(16)}`);
  }
  const total = v.getUint16(start + 2, true);
  if (total < 4) throw malformed(`TLV area at ${start} claims ${total} bytes, less than its own header`);
  if (expectedTotal !== undefined && total !== expectedTotal) {
    throw malformed(`protected TLV area is ${total} bytes but the header says ${expectedTotal}`);
  }
  const end = start + total;
  if (end > bytes.length) throw malformed(`TLV area at ${start} (${total} bytes) runs past the end (${bytes.length} bytes)`);
  const tlvs: ImageTlv[] = [];
  let at = start + 4;
  while (at < end) {
    if (at + 4 > end) throw malformed(`truncated TLV head at ${at}`);
    const type = v.getUint16(at, true);
    const len = v.getUint16(at + 2, true);
    if (at + 4 + len > end) throw malformed(`TLV 0x${type.toString(16)} at ${at} (${len} bytes) runs past its area`);
    tlvs.push({ type, offset: at, data: bytes.slice(at + 4, at + 4 + len) });
    at += 4 + len;
  }
  return { tlvs, total };
}

/** Parses and verifies an MCUboot image; throws FieldlineError('INVALID_ARGUMENT') for anything malformed. */
export function parseMcubootImage(bytes: Uint8Array): McubootImage {
  if (bytes.length < IMAGE_HEADER_SIZE) {
    throw malformed(`${bytes.length} bytes is shorter than the ${IMAGE_HEADER_SIZE}-byte header`);
  }
  const v = view(bytes);
  const magic = v.getUint32(0, true);
  if (magic !== IMAGE_MAGIC) throw malformed(`bad magic 0x${magic.toString(16).padStart(8, '0')}`, { magic });
  const loadAddr = v.getUint32(4, true);
  const hdrSize = v.getUint16(8, true);
  const protectTlvSize = v.getUint16(10, true);
  const imgSize = v.getUint32(12, true);
  const flags = v.getUint32(16, true);
  const version: ImageVersion = {
    major: v.getUint8(20),
    minor: v.getUint8(21),
    revision: v.getUint16(22, true),
    build: v.getUint32(24, true),
  };
  if (hdrSize < IMAGE_HEADER_SIZE) throw malformed(`header size ${hdrSize} is smaller than ${IMAGE_HEADER_SIZE}`);
  const tlvOffset = hdrSize + imgSize;
  if (tlvOffset > bytes.length) {
    throw malformed(`header (${hdrSize}) + image (${imgSize}) is ${tlvOffset} bytes but the file has ${bytes.length}`);
  }
  let protectedTlvs: ImageTlv[] = [];
  if (protectTlvSize > 0) {
    protectedTlvs = parseTlvArea(bytes, tlvOffset, TLV_PROT_INFO_MAGIC, protectTlvSize).tlvs;
  }
  const unprotectedStart = tlvOffset + protectTlvSize;
  const { tlvs, total: tlvSize } = parseTlvArea(bytes, unprotectedStart, TLV_INFO_MAGIC);

  const hashes = tlvs.filter((t) => t.type === TLV_SHA256);
  if (hashes.length > 1) throw malformed('more than one SHA-256 TLV');
  const hashTlv = hashes[0];
  if (hashTlv && hashTlv.data.length !== 32) throw malformed(`SHA-256 TLV is ${hashTlv.data.length} bytes, not 32`);
  const computedHash = new Uint8Array(createHash('sha256').update(bytes.subarray(0, unprotectedStart)).digest());
  const hash = hashTlv?.data;
  return {
    loadAddr,
    hdrSize,
    protectTlvSize,
    imgSize,
    flags,
    version,
    tlvOffset,
    tlvSize,
    end: unprotectedStart + tlvSize,
    protectedTlvs,
    tlvs,
    hash,
    computedHash,
    hashValid: hash !== undefined && Buffer.from(hash).equals(Buffer.from(computedHash)),
  };
}

/** Reads only the 32-byte header (enough for the first upload chunk); undefined if the magic is wrong. */
export function readImageHeader(bytes: Uint8Array): { version: ImageVersion; flags: number } | undefined {
  if (bytes.length < IMAGE_HEADER_SIZE) return undefined;
  const v = view(bytes);
  if (v.getUint32(0, true) !== IMAGE_MAGIC) return undefined;
  return {
    flags: v.getUint32(16, true),
    version: { major: v.getUint8(20), minor: v.getUint8(21), revision: v.getUint16(22, true), build: v.getUint32(24, true) },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Versions

/** imgtool's `1.2.3+4`, and Zephyr's image-state spelling `1.2.3.4` of the same version (so device replies compare). */
const VERSION_RE = /^(\d+)\.(\d+)\.(\d+)(?:[+.](\d+))?$/;

/** Parses imgtool's `major.minor.revision[+build]` (or Zephyr's `.build`); throws INVALID_ARGUMENT for anything else or out of range. */
export function parseVersion(text: string): ImageVersion {
  const m = VERSION_RE.exec(text);
  if (!m) throw new FieldlineError('INVALID_ARGUMENT', `image version "${text}" is not major.minor.revision[+build]`);
  const [major, minor, revision, build] = [m[1], m[2], m[3], m[4] ?? '0'].map(Number) as [number, number, number, number];
  if (major > 0xff || minor > 0xff || revision > 0xffff || build > 0xffffffff) {
    throw new FieldlineError('INVALID_ARGUMENT', `image version "${text}" does not fit MCUboot's u8.u8.u16+u32`);
  }
  return { major, minor, revision, build };
}

/** imgtool notation, build always shown: "0.0.0+0". */
export function formatVersion(v: ImageVersion): string {
  return `${v.major}.${v.minor}.${v.revision}+${v.build}`;
}

/** Zephyr's img_mgmt_ver_str: "x.y.z", with ".build" appended only when the build number is not zero. */
export function formatZephyrVersion(v: ImageVersion): string {
  const base = `${v.major}.${v.minor}.${v.revision}`;
  return v.build !== 0 ? `${base}.${v.build}` : base;
}

/**
 * Orders two versions (negative, 0, positive). Zephyr ignores the build number unless
 * CONFIG_MCUMGR_GRP_IMG_VERSION_CMP_USE_BUILD_NUMBER is set, hence the switch.
 */
export function compareVersions(a: ImageVersion | string, b: ImageVersion | string, useBuildNumber = true): number {
  const x = typeof a === 'string' ? parseVersion(a) : a;
  const y = typeof b === 'string' ? parseVersion(b) : b;
  return (
    x.major - y.major ||
    x.minor - y.minor ||
    x.revision - y.revision ||
    (useBuildNumber ? Math.sign(x.build - y.build) : 0)
  );
}

// ---------------------------------------------------------------------------------------------------------------
// Synthetic images

export interface MakeImageOptions {
  /** "1.2.3" or "1.2.3+4". */
  version: string;
  /** Total file size in bytes: header (padded to hdrSize) + body + TLV area. */
  size: number;
  /** Seeds the pseudo-random body; defaults to one derived from version and size, so equal inputs give equal images. */
  seed?: number;
  hdrSize?: number;
  loadAddr?: number;
  flags?: number;
  /** Extra TLVs for a protected area (covered by the hash), to exercise that path. */
  protectedTlvs?: Array<{ type: number; data: Uint8Array }>;
}

function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

/** xorshift32: tiny and deterministic, which is all a test body needs. */
function fillPseudoRandom(out: Uint8Array, seed: number): void {
  let s = seed >>> 0 || 0x9e3779b9;
  for (let i = 0; i < out.length; i += 4) {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    for (let k = 0; k < 4 && i + k < out.length; k++) out[i + k] = (s >>> (8 * k)) & 0xff;
  }
}

/** Builds a valid, unsigned MCUboot image whose SHA-256 TLV verifies. `size` is the total file size. */
export function makeMcubootImage(options: MakeImageOptions): Uint8Array {
  const version = parseVersion(options.version);
  const hdrSize = options.hdrSize ?? 0x200;
  if (!Number.isInteger(hdrSize) || hdrSize < IMAGE_HEADER_SIZE || hdrSize > 0xffff) {
    throw new FieldlineError('INVALID_ARGUMENT', `header size ${hdrSize} must be ${IMAGE_HEADER_SIZE}..65535`);
  }
  const prot = options.protectedTlvs ?? [];
  const protSize = prot.length ? 4 + prot.reduce((n, t) => n + 4 + t.data.length, 0) : 0;
  const tlvSize = 4 + 4 + 32;
  const imgSize = options.size - hdrSize - protSize - tlvSize;
  if (!Number.isInteger(options.size) || imgSize < 0 || protSize > 0xffff) {
    throw new FieldlineError('INVALID_ARGUMENT', `image size ${options.size} is too small for header and TLVs`, {
      minimum: hdrSize + protSize + tlvSize,
    });
  }
  const out = new Uint8Array(options.size);
  const v = view(out);
  v.setUint32(0, IMAGE_MAGIC, true);
  v.setUint32(4, options.loadAddr ?? 0, true);
  v.setUint16(8, hdrSize, true);
  v.setUint16(10, protSize, true);
  v.setUint32(12, imgSize, true);
  v.setUint32(16, options.flags ?? 0, true);
  v.setUint8(20, version.major);
  v.setUint8(21, version.minor);
  v.setUint16(22, version.revision, true);
  v.setUint32(24, version.build, true);
  fillPseudoRandom(out.subarray(hdrSize, hdrSize + imgSize), options.seed ?? fnv1a(`${options.version}/${options.size}`));

  let at = hdrSize + imgSize;
  if (protSize) {
    v.setUint16(at, TLV_PROT_INFO_MAGIC, true);
    v.setUint16(at + 2, protSize, true);
    at += 4;
    for (const t of prot) {
      v.setUint16(at, t.type, true);
      v.setUint16(at + 2, t.data.length, true);
      out.set(t.data, at + 4);
      at += 4 + t.data.length;
    }
  }
  const hash = createHash('sha256').update(out.subarray(0, at)).digest();
  v.setUint16(at, TLV_INFO_MAGIC, true);
  v.setUint16(at + 2, tlvSize, true);
  v.setUint16(at + 4, TLV_SHA256, true);
  v.setUint16(at + 6, 32, true);
  out.set(hash, at + 8);
  return out;
}
