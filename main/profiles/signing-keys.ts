/**
 * A profile's `firmware.signingKeys`: the public keys its firmware image must be signed by. Each entry is a PEM public
 * key written inline — covered by the profile's own signature, the stronger choice — or a path relative to the
 * profile, as firmware.image is. Key files are read as any file a profile names: regular files only, size-capped.
 */
import { resolve } from 'node:path';
import { FieldlineError } from '../errors';
import { FIRMWARE_KEY_MAX_BYTES, parseFirmwareKey, type FirmwareKey } from '../device/firmware-keys';
import { readRegularFile, readRegularFileSync } from './regular-file';

/** Entries a profile may list; a handful is already a lot of signers for one product. */
export const MAX_SIGNING_KEYS = 16;

const CAP = { maxBytes: FIRMWARE_KEY_MAX_BYTES, what: 'firmware signing key' };

export const isInlineKey = (entry: string): boolean => entry.trimStart().startsWith('-----BEGIN');

/** "signingKeys[0]" for an inline key, the file's path for the others: how messages and records name a key. */
function sourceOf(entry: string, index: number, baseDir: string): string {
  return isInlineKey(entry) ? `firmware.signingKeys[${index}]` : resolve(baseDir, entry);
}

function decode(bytes: Uint8Array, path: string): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new FieldlineError('FIRMWARE_KEY_INVALID', `${path}: not UTF-8 text, so not a PEM key`, { source: path });
  }
}

/** One key file (`fieldline firmware verify --key`, a profile's path entry). */
export async function readFirmwareKeyFile(path: string): Promise<FirmwareKey> {
  return parseFirmwareKey(decode(await readRegularFile(path, CAP), path), path);
}

/** The profile's keys, read at run time (files may have changed since the profile was loaded). */
export async function loadSigningKeys(entries: readonly string[], baseDir: string): Promise<FirmwareKey[]> {
  return Promise.all(
    entries.map(async (entry, i) => {
      const source = sourceOf(entry, i, baseDir);
      return isInlineKey(entry) ? parseFirmwareKey(entry, source) : readFirmwareKeyFile(source);
    }),
  );
}

/** The same, synchronously, for the profile checks; `files` false skips key files (a profile checked away from them). */
export function signingKeySync(entry: string, index: number, baseDir: string, files: boolean): FirmwareKey | undefined {
  const source = sourceOf(entry, index, baseDir);
  if (isInlineKey(entry)) return parseFirmwareKey(entry, source);
  if (!files) return undefined;
  return parseFirmwareKey(decode(readRegularFileSync(source, CAP), source), source);
}
