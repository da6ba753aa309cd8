/**
 * The run record: what one provisioning run did to one gateway, step by step, with evidence. It is what the
 * store keeps, what the CLI prints under --json, what the report renders and what the registry receives —
 * described once as zod schemas, so the registry client and server check exactly the types the pipeline writes.
 * It lives in main/contract/ because the UI receives it too (runs:get): the contract may import only zod and
 * itself. Every layer imports it from here (no re-export elsewhere, so no layer seems to depend on provisioning).
 */
import { z } from 'zod';

export const STEP_ORDER = ['identify', 'firmware', 'identity', 'configuration', 'diagnostics', 'finalize'] as const;
export const stepNameSchema = z.enum(STEP_ORDER);
export type StepName = z.infer<typeof stepNameSchema>;

export const stepOutcomeSchema = z.enum(['passed', 'failed', 'skipped']);
export type StepOutcome = z.infer<typeof stepOutcomeSchema>;

/**
 * `running` while a run is under way (a record left so by a crash counts as interrupted); `interrupted` when the
 * device vanished before the run or its rollback could finish — the next run of that device repairs it.
 */
export const runOutcomeSchema = z.enum(['running', 'passed', 'failed', 'cancelled', 'interrupted']);
export type RunOutcome = z.infer<typeof runOutcomeSchema>;

const isoTime = z.string().min(1).max(40);

/** The signature algorithms MCUboot verifies firmware with (RSA ones with PSS padding). */
export const firmwareKeyAlgorithmSchema = z.enum(['rsa-2048', 'rsa-3072', 'ecdsa-p256', 'ed25519']);

export const errorRecordSchema = z.object({ code: z.string().max(64), message: z.string().max(4000) });
export type ErrorRecord = z.infer<typeof errorRecordSchema>;

export const stepRecordSchema = z.object({
  name: stepNameSchema,
  startedAt: isoTime,
  endedAt: isoTime,
  outcome: stepOutcomeSchema,
  /** What the step saw and did (values read back, hashes, fingerprints…). No secrets. */
  evidence: z.record(z.string(), z.unknown()),
  error: errorRecordSchema.optional(),
});
export type StepRecord = z.infer<typeof stepRecordSchema>;

const limitValue = z.union([z.number(), z.string()]);

export const diagnosticResultSchema = z.object({
  name: z.string().max(200),
  type: z.string().max(64),
  passed: z.boolean(),
  /** The measured value (number, string or boolean). */
  value: z.unknown(),
  limits: z.object({ min: limitValue.optional(), max: limitValue.optional(), pattern: z.string().optional(), expected: z.unknown().optional() }),
  unit: z.string().max(32).optional(),
  durationMs: z.number().nonnegative(),
  detail: z.string().max(4000).optional(),
});
export type DiagnosticResult = z.infer<typeof diagnosticResultSchema>;

export const certificateRecordSchema = z.object({
  serial: z.string().max(64),
  fingerprintSha256: z.string().regex(/^[0-9a-f]{64}$/),
  subject: z.string().max(1024),
  notBefore: isoTime,
  notAfter: isoTime,
  issuer: z.string().max(1024),
  mode: z.enum(['csr', 'inject']),
  revoked: z.boolean().optional(),
});
export type CertificateRecord = z.infer<typeof certificateRecordSchema>;

export const rollbackRecordSchema = z.object({
  startedAt: isoTime,
  endedAt: isoTime,
  actions: z.array(
    z.object({
      action: z.string().max(200),
      /** `done` only when the read-back shows the device as it was before the run. */
      outcome: z.enum(['done', 'failed', 'not-needed']),
      detail: z.string().max(4000).optional(),
      /** The setting name or file path the action is about (absent in records written before rollback read back). */
      target: z.string().max(1024).optional(),
      /** What the device held when read back after the action ("not found", "64 bytes, sha256 …", "1.0.0 active, confirmed"). */
      verified: z.string().max(4000).optional(),
      /** The run's change is still on the device (a file with no way to delete it): drift lists it. */
      leftOnDevice: z.boolean().optional(),
    }),
  ),
});
export type RollbackRecord = z.infer<typeof rollbackRecordSchema>;

/**
 * What a field-service visit did to a device (issue #16). A service record is a run record with this section: it is
 * stored, queued, synced, bundled and shown in the registry's device history exactly as a provisioning run is, and the
 * certificate a renewal issues goes through the same write-ahead register and repair. Everything that counts units
 * (line KPIs, yield, "passed earlier") counts provisioning runs only: a record with `service` is not a unit made.
 */
export const SERVICE_ACTIONS = ['diagnose', 'remediate', 'update', 'renew', 'replace'] as const;
export const serviceActionSchema = z.enum(SERVICE_ACTIONS);
export type ServiceAction = z.infer<typeof serviceActionSchema>;

export const serviceSectionSchema = z.object({
  action: serviceActionSchema,
  /** Who did it: the signed-in operator's name, or the station's settings operator on a station without operators. */
  operator: z.string().max(200),
  /** The provisioning run the device's golden configuration (profile, variables) was taken from, when one was found. */
  basedOnRunId: z.string().uuid().optional(),
  /** Where that run was found: this station's store, or the visit kit pulled from the registry. */
  basedOnSource: z.enum(['store', 'kit']).optional(),
  /** What the device held before the action and after it, as read back (firmware, settings, certificate…). */
  before: z.record(z.string(), z.unknown()),
  after: z.record(z.string(), z.unknown()),
});
export type ServiceSection = z.infer<typeof serviceSectionSchema>;

export const runRecordSchema = z.object({
  id: z.string().uuid(),
  /** Run this one repairs (same device, interrupted). */
  previousRunId: z.string().uuid().optional(),
  device: z.object({
    serial: z.string().max(128),
    port: z.string().max(1024),
    firmwareBefore: z.string().max(64).optional(),
    firmwareAfter: z.string().max(64).optional(),
  }),
  profile: z.object({ name: z.string().max(200), version: z.string().max(64), sha256: z.string().max(64), signedBy: z.string().max(128).optional() }),
  station: z.object({ name: z.string().max(200) }),
  variables: z.record(z.string(), z.string()),
  startedAt: isoTime,
  endedAt: z.string().max(40),
  outcome: runOutcomeSchema,
  steps: z.array(stepRecordSchema).max(64),
  diagnostics: z.array(diagnosticResultSchema).max(1000),
  certificate: certificateRecordSchema.optional(),
  /** SHA-256 over the rendered settings and files, as read back from the device. */
  configurationHash: z.string().max(64).optional(),
  rollback: rollbackRecordSchema.optional(),
  error: errorRecordSchema.optional(),
  /**
   * The serial of the unit this one replaced (`fieldline replace`). Set only on a passed run, and only once the old
   * unit's certificate was revoked: the old unit's `replacedBy` is derived from it, in the store and the registry.
   */
  replaces: z.string().max(128).optional(),
  /**
   * The unit had a passed run before this one started (a rework: `identity.existing` keep or replace). Set when the
   * device is identified; the line's KPIs count such runs apart from first-pass runs.
   */
  rework: z.boolean().optional(),
  /**
   * The key that signed the firmware image this run installed, set only when the image's MCUboot signature verified
   * against the profile's firmware.signingKeys before upload. keyHash is MCUboot's key hash (the image's KEYHASH TLV).
   */
  firmwareSignedBy: z.object({ algorithm: firmwareKeyAlgorithmSchema, keyHash: z.string().regex(/^[0-9a-f]{64}$/) }).optional(),
  /**
   * The signed release the profile was, when it was one (`fieldline sync` pulled it from the followed channel and its
   * stored bytes hashed to the release's sha256 just before the run), and the firmware release its image was.
   */
  /**
   * The site the device is installed at: the run's `site` variable (profiles declare it under variables), copied here
   * so the registry can group devices by site (`GET /v1/devices?site=…`, `fieldline visit prepare --site`).
   */
  site: z.string().max(128).optional(),
  /** Present on a service record only (a field-service action, not a provisioning run): see serviceSectionSchema. */
  service: serviceSectionSchema.optional(),
  release: z
    .object({
      channel: z.string().max(64),
      name: z.string().max(100),
      version: z.string().max(64),
      sha256: z.string().regex(/^[0-9a-f]{64}$/),
      firmware: z.object({ name: z.string().max(100), version: z.string().max(64), sha256: z.string().regex(/^[0-9a-f]{64}$/) }).optional(),
    })
    .optional(),
});
export type RunRecord = z.infer<typeof runRecordSchema>;
