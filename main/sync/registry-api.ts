/**
 * The registry's HTTP API (resources/registry-openapi.yaml), described once with zod: the reference registry
 * (registry/) validates requests with these schemas and the station's client validates replies with them, so
 * neither side writes the types twice. Records are run records (main/provisioning/record.ts); the record id is
 * the idempotency key.
 */
import { z } from 'zod';
import { runRecordSchema } from '../provisioning/record';

export const API_PREFIX = '/v1';

export const PATHS = {
  health: '/v1/health',
  recordsBatch: '/v1/records:batch',
  records: '/v1/records',
  device: '/v1/devices/:serial',
  bundles: '/v1/bundles',
  stationKeys: '/v1/stations/me/keys',
} as const;

/** Bounds a station respects and the registry enforces. */
export const LIMITS = {
  batchRecords: 500,
  batchBytes: 4 * 1024 * 1024,
  bundleBytes: 64 * 1024 * 1024,
  pageRecords: 1000,
} as const;

export const batchUploadRequestSchema = z.object({
  records: z.array(runRecordSchema).min(1).max(LIMITS.batchRecords),
});
export type BatchUploadRequest = z.infer<typeof batchUploadRequestSchema>;

export const rejectionSchema = z.object({ id: z.string(), reason: z.string() });

/** Every id sent appears in exactly one list. Duplicates are records the registry already had (same id). */
export const batchUploadReplySchema = z.object({
  accepted: z.array(z.string()),
  duplicate: z.array(z.string()),
  rejected: z.array(rejectionSchema),
});
export type BatchUploadReply = z.infer<typeof batchUploadReplySchema>;

export const deviceRunSchema = runRecordSchema.extend({
  /** When the registry first received the record, and from which station's token. */
  receivedAt: z.string(),
  receivedFrom: z.string(),
});

export const deviceReplySchema = z.object({
  serial: z.string(),
  firstSeen: z.string(),
  lastSeen: z.string(),
  runs: z.array(deviceRunSchema),
});
export type DeviceReply = z.infer<typeof deviceReplySchema>;

export const recordsPageSchema = z.object({
  records: z.array(deviceRunSchema),
  /** Pass as `since` to get the records received after these; unchanged when there are none. */
  nextCursor: z.string(),
});
export type RecordsPage = z.infer<typeof recordsPageSchema>;

export const stationKeyRequestSchema = z.object({
  /** Ed25519 public key, SPKI DER, base64: verifies the station's offline bundles. */
  publicKey: z.string().min(1).max(200),
});
export const stationKeyReplySchema = z.object({ station: z.string(), keyId: z.string() });

/** Problems are answered with a 4xx/5xx status and this body. */
export const errorReplySchema = z.object({
  error: z.object({ code: z.string(), message: z.string() }),
});
export type ErrorReply = z.infer<typeof errorReplySchema>;

/** The `error.code` values the registry answers with. Codes may be added, never renamed or reused. */
export const REGISTRY_ERROR_CODES = [
  'UNAUTHORIZED', // 401: no token, or not a valid one (never says which)
  'BAD_REQUEST', // 400: malformed JSON, wrong body or query shape
  'BUNDLE_INVALID', // 400: a bundle's shape, signature or a record hash does not check out
  'KEY_INVALID', // 400: not an Ed25519 public key
  'KEY_NOT_REGISTERED', // 403: the bundle's key is not registered to the bundle's station
  'NOT_FOUND', // 404: unknown device or path
  'METHOD_NOT_ALLOWED', // 405: known path, other method
  'KEY_CONFLICT', // 409: that key is registered to another station
  'PAYLOAD_TOO_LARGE', // 413: body over the byte limit, or more records than LIMITS.batchRecords
  'UNSUPPORTED_MEDIA_TYPE', // 415: body not sent as application/json
  'INTERNAL', // 500
] as const;
export type RegistryErrorCode = (typeof REGISTRY_ERROR_CODES)[number];

export const healthReplySchema = z.object({ status: z.literal('ok') });

/** `GET /v1/records?since=CURSOR&limit=N`: since absent = from the first record; limit 1…LIMITS.pageRecords. */
export const recordsQuerySchema = z.object({
  since: z.string().max(40).optional(),
  limit: z.coerce.number().int().min(1).max(LIMITS.pageRecords).default(100),
});

// --- Offline bundles -------------------------------------------------------------------------------------------

export const BUNDLE_FORMAT = 'fieldline-bundle/v1';

export const bundleManifestSchema = z.object({
  format: z.literal(BUNDLE_FORMAT),
  station: z.string().min(1).max(200),
  createdAt: z.string(),
  count: z.number().int().nonnegative(),
  /** SHA-256 (hex) of each record's canonical JSON, in order: binds every record to the signature. */
  recordHashes: z.array(z.string().regex(/^[0-9a-f]{64}$/)),
  /** The station's Ed25519 public key (SPKI DER, base64) and its id (first 16 hex of its SHA-256). */
  publicKey: z.string().min(1).max(200),
  keyId: z.string().regex(/^[0-9a-f]{16}$/),
});
export type BundleManifest = z.infer<typeof bundleManifestSchema>;

export const bundleSchema = z.object({
  manifest: bundleManifestSchema,
  /** Ed25519 signature (base64) over the canonical JSON of the manifest. */
  signature: z.string().min(1).max(200),
  records: z.array(runRecordSchema),
});
export type Bundle = z.infer<typeof bundleSchema>;
