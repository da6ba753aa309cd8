/**
 * The releases a station pulled: `<dataDir>/releases/artifacts/<sha256>.yaml|.bin` (the bytes as signed) and
 * `<dataDir>/releases/index.json` (each release's manifest and signature, and the feed cursor per channel). An
 * artifact is written (temp + rename) before the index names it, so the index never names bytes that are not
 * there; the index itself is replaced whole (temp + rename), so a crash leaves the old one or the new one.
 * The channel the station follows is a station setting: `releaseChannel` in `<dataDir>/station.json`.
 */
import { createHash, verify, type KeyObject } from 'node:crypto';
import { join } from 'node:path';
import { z } from 'zod';
import { canonicalReleaseManifest, channelSchema, releaseManifestSchema, releaseSignatureSchema, type Release, type ReleaseManifest } from '../contract/registry/releases';
import { FieldlineError, isFieldlineError } from '../errors';
import { writeFileAtomic } from '../pki/files';
import { readRegularFile, readRegularFileSync } from '../profiles/regular-file';
import { keyIdOf, TRUST_FOLDER } from '../profiles/signature';

export const RELEASES_FOLDER = 'releases';
const INDEX_FILE = 'index.json';
const STATION_FILE = 'station.json';
/** Releases a station keeps track of; a channel with more is misconfigured, and the index stays bounded. */
const MAX_RELEASES = 5000;
const INDEX_CAP = { maxBytes: 8 * 1024 * 1024, what: 'release index' };
const STATION_CAP = { maxBytes: 64 * 1024, what: 'station settings' };

export const pulledReleaseSchema = z.object({
  manifest: releaseManifestSchema,
  signature: releaseSignatureSchema,
  publishedAt: z.string().max(40),
  pulledAt: z.string().max(40),
  /** Why the station will not use it (set when it was refused, or its stored bytes changed later). */
  refused: z.string().max(2000).optional(),
});
export type PulledRelease = z.infer<typeof pulledReleaseSchema>;

const indexSchema = z.object({
  format: z.literal(1),
  cursors: z.record(channelSchema, z.string().max(20)),
  releases: z.array(pulledReleaseSchema).max(MAX_RELEASES),
});
export type ReleaseIndex = z.infer<typeof indexSchema>;

const releasesDir = (dataDir: string): string => join(dataDir, RELEASES_FOLDER);

/** Where pulled artifacts are stored (profiles as `<sha256>.yaml`, firmware as `<sha256>.bin`). */
export const releaseArtifactsDir = (dataDir: string): string => join(releasesDir(dataDir), 'artifacts');

export function artifactPath(dataDir: string, m: Pick<ReleaseManifest, 'kind' | 'sha256'>): string {
  return join(releasesDir(dataDir), 'artifacts', `${m.sha256}${m.kind === 'profile' ? '.yaml' : '.bin'}`);
}

export const sha256Of = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

export async function loadReleaseIndex(dataDir: string): Promise<ReleaseIndex> {
  const file = join(releasesDir(dataDir), INDEX_FILE);
  let bytes: Uint8Array;
  try {
    bytes = await readRegularFile(file, INDEX_CAP);
  } catch (err) {
    if (isFieldlineError(err, 'FILE_NOT_FOUND')) return { format: 1, cursors: {}, releases: [] };
    throw err;
  }
  return parseReleaseIndex(file, bytes);
}

/** loadReleaseIndex for synchronous readers (the visit kit's lookups, main/core/visit-kit.ts). */
export function loadReleaseIndexSync(dataDir: string): ReleaseIndex {
  const file = join(releasesDir(dataDir), INDEX_FILE);
  let bytes: Uint8Array;
  try {
    bytes = readRegularFileSync(file, INDEX_CAP);
  } catch (err) {
    if (isFieldlineError(err, 'FILE_NOT_FOUND')) return { format: 1, cursors: {}, releases: [] };
    throw err;
  }
  return parseReleaseIndex(file, bytes);
}

function parseReleaseIndex(file: string, bytes: Uint8Array): ReleaseIndex {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    value = undefined;
  }
  const parsed = indexSchema.safeParse(value);
  if (!parsed.success) throw new FieldlineError('STORE_CORRUPT', `${file} is not a release index; move it aside and run \`fieldline sync --once\` to pull the releases again`);
  return parsed.data;
}

export async function saveReleaseIndex(dataDir: string, index: ReleaseIndex): Promise<void> {
  await writeFileAtomic(join(releasesDir(dataDir), INDEX_FILE), JSON.stringify(indexSchema.parse(index), null, 2) + '\n');
}

/** Stores the bytes where artifactPath() says; the caller has verified them. */
export async function storeArtifact(dataDir: string, m: ReleaseManifest, bytes: Uint8Array): Promise<void> {
  const file = artifactPath(dataDir, m);
  await writeFileAtomic(file, bytes);
}

/** Why these bytes are not the release a trusted publisher signed, or undefined when they are. */
export function releaseRefusal(release: Pick<Release, 'manifest' | 'signature'>, bytes: Uint8Array, trusted: readonly KeyObject[], dataDir: string): string | undefined {
  const { manifest: m, signature } = release;
  const actual = sha256Of(bytes);
  if (actual !== m.sha256 || bytes.length !== m.size) {
    return `the artifact's SHA-256 is ${actual} (${bytes.length} bytes), the release says ${m.sha256} (${m.size} bytes)`;
  }
  const key = trusted.find((k) => keyIdOf(k) === signature.keyId);
  if (!key) {
    const where = join(dataDir, TRUST_FOLDER);
    return trusted.length === 0
      ? `signed by key ${signature.keyId}, but this station trusts no publisher keys (none in ${where})`
      : `signed by key ${signature.keyId}, which is not among the trusted keys in ${where}`;
  }
  if (!verify(null, Buffer.from(canonicalReleaseManifest(m)), key, Buffer.from(signature.signature, 'base64'))) {
    return `the signature by key ${signature.keyId} does not match the release's manifest`;
  }
  return undefined;
}

/** Why the stored copy of a pulled release is no longer its bytes, or undefined when it still is. */
export async function storedArtifactRefusal(dataDir: string, entry: PulledRelease): Promise<string | undefined> {
  const file = artifactPath(dataDir, entry.manifest);
  let bytes: Uint8Array;
  try {
    bytes = await readRegularFile(file, { maxBytes: entry.manifest.size, what: 'released artifact' });
  } catch (err) {
    if (err instanceof FieldlineError) return `the stored artifact ${file} cannot be used: ${err.message}`;
    throw err;
  }
  const actual = sha256Of(bytes);
  return actual === entry.manifest.sha256 ? undefined : `the stored artifact ${file} changed after it was pulled: its SHA-256 is ${actual}, the release says ${entry.manifest.sha256}`;
}

// ---- The followed channel (station.json) ----

async function readStationFile(dataDir: string): Promise<Record<string, unknown>> {
  try {
    return stationSettingsOf(await readRegularFile(join(dataDir, STATION_FILE), STATION_CAP));
  } catch (err) {
    if (isFieldlineError(err, 'FILE_NOT_FOUND') || err instanceof SyntaxError) return {};
    throw err;
  }
}

function stationSettingsOf(bytes: Uint8Array): Record<string, unknown> {
  const value: unknown = JSON.parse(new TextDecoder().decode(bytes));
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

/** The channel this station follows, or undefined (then any profile may be used, as before releases). */
export async function followedChannel(dataDir: string): Promise<string | undefined> {
  const parsed = channelSchema.safeParse((await readStationFile(dataDir)).releaseChannel);
  return parsed.success ? parsed.data : undefined;
}

/** followedChannel for synchronous readers. */
export function followedChannelSync(dataDir: string): string | undefined {
  let settings: Record<string, unknown>;
  try {
    settings = stationSettingsOf(readRegularFileSync(join(dataDir, STATION_FILE), STATION_CAP));
  } catch (err) {
    if (isFieldlineError(err, 'FILE_NOT_FOUND') || err instanceof SyntaxError) return undefined;
    throw err;
  }
  const parsed = channelSchema.safeParse(settings.releaseChannel);
  return parsed.success ? parsed.data : undefined;
}

/** Follows `channel`, keeping every other setting in station.json. */
export async function followChannel(dataDir: string, channel: string): Promise<void> {
  const parsed = channelSchema.safeParse(channel);
  if (!parsed.success) throw new FieldlineError('INVALID_ARGUMENT', `"${channel}" is not a channel name: ${parsed.error.issues[0]?.message ?? ''}`);
  const settings = await readStationFile(dataDir);
  await writeFileAtomic(join(dataDir, STATION_FILE), JSON.stringify({ ...settings, releaseChannel: parsed.data }, null, 2) + '\n');
}

/** The usable releases of the followed channel: pulled, never refused. */
export async function usableReleases(dataDir: string): Promise<{ channel: string | undefined; releases: PulledRelease[] }> {
  const channel = await followedChannel(dataDir);
  if (channel === undefined) return { channel, releases: [] };
  const index = await loadReleaseIndex(dataDir);
  return { channel, releases: index.releases.filter((r) => r.manifest.channel === channel && r.refused === undefined) };
}
