/**
 * The visit kit on disk (issue #16): what `fieldline visit prepare` pulled from the registry for a field-service visit,
 * so the device page and `fieldline service` work at a site without a connection. Layout:
 *
 *   <dataDir>/visit/manifest.json          names the current kit folder and every file in it
 *   <dataDir>/visit/<kit id>/devices/N.json      one device's registry reply (runs, service records, site)
 *   <dataDir>/visit/<kit id>/artifacts/<sha256>.yaml|.bin   profiles and firmware, by the SHA-256 of their bytes
 *   <dataDir>/visit/<kit id>/revocations/N.json  one station's revocation list
 *
 * A prepare writes a new kit folder whole, then replaces the manifest (temp + rename) to name it, then removes the
 * folders no manifest names: a crash or a failure at any point leaves the old manifest naming the old, complete kit.
 * Files are named by index or by hash, never by a serial or a station name from the registry, so no reply can name a
 * path. The manifest is read with a size cap and validated, and every file it names is read with a cap too.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { deviceReplySchema, type DeviceReply } from '../contract/registry/api';
import { channelSchema, RELEASE_KINDS, RELEASE_LIMITS, sha256Schema } from '../contract/registry/releases';
import { FieldlineError, isFieldlineError } from '../errors';
import { writeFileAtomic } from '../pki/files';
import { readRegularFileSync } from '../profiles/regular-file';

export const VISIT_FOLDER = 'visit';
const MANIFEST_FILE = 'manifest.json';

export const VISIT_LIMITS = {
  /** Devices in one kit. */
  devices: 10_000,
  /** The manifest: 10,000 devices of about 200 bytes each, and the artifacts and lists. */
  manifestBytes: 8 * 1024 * 1024,
  /** One device's file: its registry reply (the client reads no more than this either). */
  deviceBytes: 32 * 1024 * 1024,
  /** One station's revocation list. */
  revocationBytes: 32 * 1024 * 1024,
  /** Artifacts (profiles and firmware) in one kit. */
  artifacts: 2000,
  /** Revocation lists (one per station) in one kit. */
  revocationLists: 10_000,
  artifactBytes: RELEASE_LIMITS.artifactBytes,
} as const;

/** A path inside the kit folder, as prepare names them: no way out of it. */
const kitFileSchema = z.string().regex(/^(?:devices|revocations)\/\d{1,6}\.json$|^artifacts\/[0-9a-f]{64}\.(?:yaml|bin)$/);

export const visitManifestSchema = z.object({
  format: z.literal(1),
  /** The folder under visit/ holding this kit's files. */
  kit: z.string().uuid(),
  preparedAt: z.string().max(40),
  /** The registry it was pulled from. */
  registry: z.string().max(2048),
  /** What was asked for: the devices of a site, or a list of serials. */
  scope: z.discriminatedUnion('kind', [z.object({ kind: z.literal('site'), site: z.string().max(128) }), z.object({ kind: z.literal('devices'), requested: z.number().int().min(0) })]),
  /** The channel whose latest releases the kit holds (the station's followed one), when it followed one. */
  channel: channelSchema.optional(),
  devices: z
    .array(z.object({ serial: z.string().max(128), site: z.string().max(128).optional(), file: kitFileSchema, runs: z.number().int().min(0), serviceRecords: z.number().int().min(0) }))
    .max(VISIT_LIMITS.devices),
  /** Serials asked for that the registry does not know. */
  missing: z.array(z.string().max(128)).max(VISIT_LIMITS.devices),
  artifacts: z
    .array(
      z.object({
        kind: z.enum(RELEASE_KINDS),
        sha256: sha256Schema,
        size: z.number().int().min(0).max(VISIT_LIMITS.artifactBytes),
        file: kitFileSchema,
        /** Set when the artifact is a release (its signature verified against this station's trusted publishers). */
        release: z.object({ channel: channelSchema, name: z.string().max(100), version: z.string().max(64), publishedAt: z.string().max(40) }).optional(),
      }),
    )
    .max(VISIT_LIMITS.artifacts),
  revocations: z
    .array(z.object({ station: z.string().max(200), issuer: z.string().max(1024), updatedAt: z.string().max(40), entries: z.number().int().min(0), file: kitFileSchema }))
    .max(VISIT_LIMITS.revocationLists),
  /** What could not be pulled and why (a release refused, an artifact the registry does not hold): the kit is still usable. */
  warnings: z.array(z.string().max(4000)).max(10_000),
});
export type VisitManifest = z.infer<typeof visitManifestSchema>;

export const visitDir = (dataDir: string): string => join(dataDir, VISIT_FOLDER);
export const visitManifestPath = (dataDir: string): string => join(visitDir(dataDir), MANIFEST_FILE);
export const kitFilePath = (dataDir: string, manifest: Pick<VisitManifest, 'kit'>, file: string): string => join(visitDir(dataDir), manifest.kit, file);

function parseJsonBytes(bytes: Uint8Array): unknown {
  try {
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    return undefined;
  }
}

/** The current kit's manifest, or undefined when there is no kit; STORE_CORRUPT when the file is not a manifest. */
export function readVisitManifest(dataDir: string): VisitManifest | undefined {
  const file = visitManifestPath(dataDir);
  let bytes: Uint8Array;
  try {
    bytes = readRegularFileSync(file, { maxBytes: VISIT_LIMITS.manifestBytes, what: 'visit kit manifest' });
  } catch (err) {
    if (isFieldlineError(err, 'FILE_NOT_FOUND')) return undefined;
    throw err;
  }
  const parsed = visitManifestSchema.safeParse(parseJsonBytes(bytes));
  if (!parsed.success) throw new FieldlineError('STORE_CORRUPT', `${file} is not a visit kit manifest; run \`fieldline visit prepare\` again`);
  return parsed.data;
}

/** One JSON file of the kit, capped and validated. */
export function readKitJson<T extends z.ZodType>(dataDir: string, manifest: VisitManifest, file: string, schema: T, maxBytes: number): z.infer<T> {
  const path = kitFilePath(dataDir, manifest, kitFileSchema.parse(file));
  const parsed = schema.safeParse(parseJsonBytes(readRegularFileSync(path, { maxBytes, what: 'visit kit file' })));
  if (!parsed.success) throw new FieldlineError('STORE_CORRUPT', `${path} is damaged; run \`fieldline visit prepare\` again`);
  return parsed.data;
}

/** A device's registry reply from the kit. */
export function readKitDevice(dataDir: string, manifest: VisitManifest, file: string): DeviceReply {
  return readKitJson(dataDir, manifest, file, deviceReplySchema, VISIT_LIMITS.deviceBytes);
}

/** Writes files into a new kit folder; returns the manifest naming them (without `kit`, which this module sets). */
export type KitBuilder = (write: (file: string, bytes: Uint8Array | string) => Promise<void>) => Promise<Omit<VisitManifest, 'format' | 'kit'>>;

/**
 * Builds a kit and makes it the current one, or leaves the current one as it was. The caller holds the visit folder's
 * lock (withDirLock), so no other prepare removes this one's folder while it is written.
 */
export async function replaceVisitKit(dataDir: string, build: KitBuilder): Promise<VisitManifest> {
  const root = visitDir(dataDir);
  const kit = randomUUID();
  const folder = join(root, kit);
  await mkdir(folder, { recursive: true, mode: 0o700 });
  let manifest: VisitManifest;
  try {
    const made = await build(async (file, bytes) => {
      const path = join(folder, kitFileSchema.parse(file));
      await writeFileAtomic(path, bytes);
    });
    manifest = visitManifestSchema.parse({ format: 1, kit, ...made });
    // The files first, then the manifest that names them: the old manifest stays until this rename.
    await writeFileAtomic(visitManifestPath(dataDir), JSON.stringify(manifest) + '\n');
  } catch (err) {
    await rm(folder, { recursive: true, force: true });
    throw err;
  }
  await removeOtherKits(root, kit);
  return manifest;
}

/** Kit folders not named by the manifest: earlier kits, and those of prepares that died before their manifest. */
async function removeOtherKits(root: string, keep: string): Promise<void> {
  const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
  for (const entry of await readdir(root, { withFileTypes: true })) {
    if (entry.isDirectory() && uuid.test(entry.name) && entry.name !== keep) await rm(join(root, entry.name), { recursive: true, force: true });
  }
}
