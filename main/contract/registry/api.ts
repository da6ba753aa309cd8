/**
 * The registry's HTTP API (resources/registry-openapi.yaml), described once with zod: the reference registry
 * (registry/) validates requests with these schemas and the station's client validates replies with them, so
 * neither side writes the types twice. Records are run records (main/contract/run-record.ts), taken at the
 * registry's edge with the bounds of record.ts; the record id is the idempotency key. It is in main/contract/ so the
 * station (main/sync) and the registry (registry/) import one neutral module and neither imports the other's parts.
 */
import { z } from 'zod';
import { runRecordSchema } from '../run-record';
import { registryRunRecordSchema, serialSchema, siteSchema } from './record';

export { RECORD_BOUNDS, registryRunRecordSchema, type RegistryRunRecord } from './record';

export const API_PREFIX = '/v1';

export const PATHS = {
  health: '/v1/health',
  recordsBatch: '/v1/records:batch',
  records: '/v1/records',
  record: '/v1/records/:id',
  device: '/v1/devices/:serial',
  devices: '/v1/devices',
  bundles: '/v1/bundles',
  stationKeys: '/v1/stations/me/keys',
  heartbeat: '/v1/stations/me/heartbeat',
  stations: '/v1/stations',
  yield: '/v1/yield',
  artifact: '/v1/artifacts/:sha256',
  releases: '/v1/releases',
  channelReleases: '/v1/channels/:channel/releases',
  /** PUT: the calling station's revocation list (main/contract/registry/revocations.ts). */
  stationRevocations: '/v1/stations/me/revocations',
  /** GET: every station's revocation list. */
  revocations: '/v1/revocations',
} as const;

/** Bounds a station respects and the registry enforces. */
export const LIMITS = {
  batchRecords: 500,
  batchBytes: 4 * 1024 * 1024,
  bundleBytes: 64 * 1024 * 1024,
  pageRecords: 1000,
  /** Devices of one page of `GET /v1/devices?site=…`. */
  pageDevices: 1000,
} as const;

export const batchUploadRequestSchema = z.object({
  records: z.array(registryRunRecordSchema).min(1).max(LIMITS.batchRecords),
});
export type BatchUploadRequest = z.infer<typeof batchUploadRequestSchema>;

/**
 * Why one record of a batch was not stored, as `rejected[].code` (the status a single-record PUT answers with):
 * RECORD_INVALID (400) the record breaks the schema or its bounds, or the database refused it; RECORD_CONFLICT
 * (409) another record is stored under its id; PAYLOAD_TOO_LARGE (413) the record alone is over
 * RECORD_BOUNDS.recordBytes. All three are permanent: sending the same record again gets the same answer.
 */
export const RECORD_REJECTION_CODES = ['RECORD_INVALID', 'RECORD_CONFLICT', 'PAYLOAD_TOO_LARGE'] as const;
export type RecordRejectionCode = (typeof RECORD_REJECTION_CODES)[number];

/** `code` is optional and any string to a client: registries before it sent none, later ones may add codes. */
export const rejectionSchema = z.object({ id: z.string(), reason: z.string(), code: z.string().max(64).optional() });
export type Rejection = z.infer<typeof rejectionSchema>;

/**
 * Every id sent appears in exactly one list. `duplicate`: the registry holds this very record (same id, same content
 * once the station is stamped), so it is retrievable; a different record under a stored id is rejected with
 * RECORD_CONFLICT, never called duplicate.
 */
export const batchUploadReplySchema = z.object({
  accepted: z.array(z.string()),
  duplicate: z.array(z.string()),
  rejected: z.array(rejectionSchema),
});
export type BatchUploadReply = z.infer<typeof batchUploadReplySchema>;

/** `PUT /v1/records/{id}`: 201 with `accepted` when stored now, 200 with `duplicate` when this very record was held. */
export const recordPutReplySchema = z.object({ id: z.string(), result: z.enum(['accepted', 'duplicate']) });
export type RecordPutReply = z.infer<typeof recordPutReplySchema>;

/**
 * Read leniently (runRecordSchema, not the edge schema): the registry stores only records that met the edge bounds,
 * but one written by an earlier registry need not, and a client must still be able to look its device up.
 */
export const deviceRunSchema = runRecordSchema.extend({
  /** When the registry first received the record, and from which station's token. */
  receivedAt: z.string(),
  receivedFrom: z.string(),
});

export const deviceReplySchema = z.object({
  serial: z.string(),
  firstSeen: z.string(),
  lastSeen: z.string(),
  /** The unit this one replaced, from its newest passed run that says so (`fieldline replace`). */
  replaces: z.string().optional(),
  /** The unit that replaced this one: the device of the newest record whose `replaces` names this serial. */
  replacedBy: z.string().optional(),
  /**
   * The site the device is installed at: the `site` of its newest provisioning record that names one (the same rule
   * `GET /v1/devices?site=` groups by). Absent when no provisioning record names a site.
   */
  site: z.string().optional(),
  /** Provisioning runs only, oldest first (a record with a `service` section is in serviceRecords). */
  runs: z.array(deviceRunSchema),
  /**
   * Field-service records (run records with a `service` section), oldest first. Defaults to [] for a registry
   * written before issue #16, which listed them (if any) under runs.
   */
  serviceRecords: z.array(deviceRunSchema).default([]),
});
export type DeviceReply = z.infer<typeof deviceReplySchema>;

/**
 * `GET /v1/devices?site=NAME&limit=N&cursor=C`: the devices at one site, by serial. cursor absent = from the first;
 * otherwise the `nextCursor` of the page before (opaque to clients).
 */
export const devicesQuerySchema = z.object({
  site: siteSchema,
  limit: z.coerce.number().int().min(1).max(LIMITS.pageDevices).default(100),
  cursor: z.string().max(1024).optional(),
});
export type DevicesQuery = z.infer<typeof devicesQuerySchema>;

/** One device of a site: where and when it was seen, and its newest provisioning run. */
export const deviceSummarySchema = z.object({
  serial: serialSchema,
  site: siteSchema,
  /** The earliest and latest time of any of its records (runs' own times, not when the registry received them). */
  firstSeen: z.string().max(40),
  lastSeen: z.string().max(40),
  /** Its newest provisioning run (newest by startedAt), whatever its outcome. */
  latestRun: z.object({
    id: z.string().max(64),
    outcome: z.string().max(32),
    startedAt: z.string().max(40),
    profile: z.object({ name: z.string().max(200), version: z.string().max(64), sha256: z.string().max(64) }),
  }),
});
export type DeviceSummary = z.infer<typeof deviceSummarySchema>;

export const devicesPageSchema = z.object({
  devices: z.array(deviceSummarySchema).max(LIMITS.pageDevices),
  /** Pass as `cursor` for the next page; absent when this page is the last. */
  nextCursor: z.string().max(1024).optional(),
});
export type DevicesPage = z.infer<typeof devicesPageSchema>;

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
  'BAD_REQUEST', // 400: malformed JSON, wrong body or query shape, a path or request Node cannot parse
  'BUNDLE_INVALID', // 400: a bundle's shape, signature or a record hash does not check out
  'KEY_INVALID', // 400: not an Ed25519 public key
  'KEY_NOT_REGISTERED', // 403: the bundle's key is not registered to the bundle's station
  'NOT_FOUND', // 404: unknown device or path
  'METHOD_NOT_ALLOWED', // 405: known path, other method
  'KEY_CONFLICT', // 409: that key is registered to another station
  'PAYLOAD_TOO_LARGE', // 413: body over the byte limit, or more records than LIMITS.batchRecords
  'UNSUPPORTED_MEDIA_TYPE', // 415: body not sent as application/json
  'INTERNAL', // 500
  'RECORD_INVALID', // 400: a record breaks the schema or its bounds (per record in a batch, or PUT)
  'RECORD_CONFLICT', // 409: another record is stored under this id (per record in a batch, or PUT)
  'REQUEST_TIMEOUT', // 408: the request did not arrive in time
  'URI_TOO_LONG', // 414: a path segment longer than any the API takes
  'HEADERS_TOO_LARGE', // 431: request line and headers over Node's limit (16 KiB)
  'UNAVAILABLE', // 503: shutting down, or the database stays locked; retry after Retry-After
  'ARTIFACT_INVALID', // 400: an artifact's bytes do not hash to the SHA-256 in its path
  'RELEASE_INVALID', // 400: a release names no uploaded artifact (or another size), or its signature does not verify
  'RELEASE_CONFLICT', // 409: another artifact is released under this channel, kind, name and version
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
