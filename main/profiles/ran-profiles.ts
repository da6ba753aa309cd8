/**
 * The exact bytes of every profile a run used, kept by the SHA-256 the run record states (`profile.sha256`):
 * `<data-dir>/profiles/ran/<sha256>.yaml`. A profile file can be edited, moved or deleted after a run; a record must
 * still name a profile the station can produce, so the copy is written (temp + fsync + rename) before the run touches
 * the device. Sync sends these to the registry (main/sync/profile-upload.ts), so another station's visit kit can
 * service a device provisioned with a profile that was never published as a release (issue #16).
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { FieldlineError, isFieldlineError } from '../errors';
import { writeFileAtomic } from '../pki/files';
import { storeError } from '../shared/sqlite';
import { LOAD_LIMITS } from './limits';
import { hashRegularFileSync, readRegularFile } from './regular-file';

/** Beside the imported profiles; the library lists only *.yaml files of profiles/, never this folder. */
export const RAN_PROFILES_DIR = join('profiles', 'ran');
const SHA256 = /^[0-9a-f]{64}$/;
const CAP = { maxBytes: LOAD_LIMITS.profileBytes, what: 'kept profile' };

export function ranProfilesDir(dataDir: string): string {
  return join(dataDir, RAN_PROFILES_DIR);
}

/** Where the profile with these bytes is kept; undefined for anything that is not a lower-case SHA-256. */
export function ranProfilePath(dataDir: string, sha256: string): string | undefined {
  return SHA256.test(sha256) ? join(ranProfilesDir(dataDir), `${sha256}.yaml`) : undefined;
}

/** The kept copy's hash when it is a readable regular file within the cap; undefined otherwise. */
function keptHash(path: string): string | undefined {
  try {
    return hashRegularFileSync(path, CAP);
  } catch {
    return undefined;
  }
}

/**
 * Keeps the bytes a run is about to use. Idempotent: a copy that already hashes right is left alone (one write per
 * profile, not per run); a damaged one is replaced. Throws when the copy cannot be written (STORE_DISK_FULL,
 * STORE_UNAVAILABLE), so the run fails before the device is touched rather than leave a record whose profile is lost.
 */
export async function keepRanProfile(dataDir: string, profile: { sha256: string; bytes: Uint8Array }): Promise<string> {
  const actual = createHash('sha256').update(profile.bytes).digest('hex');
  // The record states profile.sha256: the copy must be those bytes, or it would name a profile it is not.
  if (actual !== profile.sha256) throw new Error(`the profile's bytes hash to ${actual}, not the ${profile.sha256} its run would record`);
  if (profile.bytes.length > CAP.maxBytes) throw new FieldlineError('FILE_TOO_LARGE', `a profile of ${profile.bytes.length} bytes is over the ${CAP.maxBytes}-byte limit`);
  const path = ranProfilePath(dataDir, actual) as string;
  if (keptHash(path) === actual) return path;
  try {
    await writeFileAtomic(path, profile.bytes);
  } catch (err) {
    throw storeError(err, path);
  }
  return path;
}

/** The kept bytes of this profile, or undefined when the station has no intact copy. */
export async function readRanProfile(dataDir: string, sha256: string): Promise<Uint8Array | undefined> {
  const path = ranProfilePath(dataDir, sha256);
  if (!path) return undefined;
  let bytes: Uint8Array;
  try {
    bytes = await readRegularFile(path, CAP);
  } catch (err) {
    if (isFieldlineError(err)) return undefined;
    throw err;
  }
  return createHash('sha256').update(bytes).digest('hex') === sha256 ? bytes : undefined;
}

