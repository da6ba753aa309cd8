/**
 * Drift support, pure (no device, no files): what differs between the golden configuration a profile renders for
 * a device and what the device holds, and the configuration hash both sides are compared by.
 */
import { createHash } from 'node:crypto';
import { FieldlineError } from '../errors';
import { decodeSettingValue, encodeSettingValue, type SettingEncoding } from '../device/setting-values';
import type { RenderedProfile } from './template';

export interface Difference {
  kind: 'setting' | 'file';
  /** Setting name or file path. */
  name: string;
  expected: string;
  /** How the device's value reads; null when the device has none. */
  actual: string | null;
}

/** What the device holds for a file: its content, or only its SHA-256 (hex, as the FS group's hash command gives). */
export type ActualFile = Uint8Array | { sha256: string } | undefined;

/** Every setting whose bytes on the device differ from the rendered ones (missing ones included). */
export function diffSettings(expected: RenderedProfile['settings'], actual: ReadonlyMap<string, Uint8Array | undefined>): Difference[] {
  const out: Difference[] = [];
  for (const setting of expected) {
    const held = actual.get(setting.name);
    if (held !== undefined && equalBytes(held, setting.bytes)) continue;
    out.push({ kind: 'setting', name: setting.name, expected: setting.display, actual: held === undefined ? null : displaySetting(held, setting.encoding) });
  }
  return out;
}

/** Every file whose content on the device differs from the rendered one (missing ones included). */
export function diffFiles(expected: RenderedProfile['files'], actual: ReadonlyMap<string, ActualFile>): Difference[] {
  const out: Difference[] = [];
  for (const file of expected) {
    const held = actual.get(file.path);
    const want = sha256Hex(file.content);
    const have = held === undefined ? null : held instanceof Uint8Array ? sha256Hex(held) : held.sha256.toLowerCase();
    if (have === want) continue;
    out.push({ kind: 'file', name: file.path, expected: `sha256:${want}`, actual: have === null ? null : `sha256:${have}` });
  }
  return out;
}

export function diffConfiguration(
  expected: Pick<RenderedProfile, 'settings' | 'files'>,
  actual: { settings: ReadonlyMap<string, Uint8Array | undefined>; files: ReadonlyMap<string, ActualFile> },
): Difference[] {
  return [...diffSettings(expected.settings, actual.settings), ...diffFiles(expected.files, actual.files)];
}

/**
 * A value as the setting's encoding reads it, or `hex:…` when the bytes are not a value of that encoding (a u32
 * of 3 bytes, a bool of 2, text that is not UTF-8) — so two different byte strings never display the same.
 */
export function displaySetting(bytes: Uint8Array, encoding: SettingEncoding): string {
  const hex = `hex:${Buffer.from(bytes).toString('hex')}`;
  try {
    const text = String(decodeSettingValue(bytes, encoding));
    return equalBytes(encodeSettingValue(text, encoding), bytes) ? text : hex;
  } catch {
    return hex;
  }
}

export type HashableFile = { path: string; content: Uint8Array } | { path: string; sha256: string };

/**
 * The golden hash: SHA-256 (hex) over a canonical encoding of the settings and files, so the same configuration
 * hashes the same whatever order it was written or read in:
 *
 *   "fieldline-configuration/v1\n"
 *   u32be(number of settings), then per setting sorted by name (UTF-8 bytes):  u32be(len) name  u32be(len) value
 *   u32be(number of files),    then per file sorted by path (UTF-8 bytes):     u32be(len) path  sha256(content)
 *
 * Files enter by their content's SHA-256, so a device's own file hash (FS group) can stand in for a download.
 */
export function configurationHash(config: {
  settings: ReadonlyArray<{ name: string; bytes: Uint8Array }>;
  files: ReadonlyArray<HashableFile>;
}): string {
  const utf8 = (s: string): Buffer => Buffer.from(s, 'utf8');
  const hash = createHash('sha256').update('fieldline-configuration/v1\n');
  const u32 = (n: number): Buffer => {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(n);
    return b;
  };
  const field = (bytes: Uint8Array): void => {
    hash.update(u32(bytes.length));
    hash.update(bytes);
  };
  const settings = config.settings.map((s) => ({ key: utf8(s.name), bytes: s.bytes })).sort((a, b) => Buffer.compare(a.key, b.key));
  hash.update(u32(settings.length));
  for (const s of settings) {
    field(s.key);
    field(s.bytes);
  }
  const files = config.files
    .map((f) => ({ key: utf8(f.path), digest: 'content' in f ? createHash('sha256').update(f.content).digest() : digestFromHex(f.sha256) }))
    .sort((a, b) => Buffer.compare(a.key, b.key));
  hash.update(u32(files.length));
  for (const f of files) {
    field(f.key);
    hash.update(f.digest);
  }
  return hash.digest('hex');
}

function digestFromHex(hex: string): Buffer {
  if (!/^[0-9a-fA-F]{64}$/.test(hex)) throw new FieldlineError('INVALID_ARGUMENT', `"${hex}" is not a SHA-256 in hex`);
  return Buffer.from(hex, 'hex');
}

function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.compare(Buffer.from(a.buffer, a.byteOffset, a.length), Buffer.from(b.buffer, b.byteOffset, b.length)) === 0;
}
