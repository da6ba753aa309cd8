/**
 * Service actions for a field visit (issue #16): look at a connected gateway — who it is, what it runs, its history,
 * the provisioning run its golden configuration is taken from, drift against that and against the current release,
 * and what needs doing — and act on it. Every action writes a service record (a run record with a `service` section,
 * main/contract/run-record.ts) that is stored, queued and synced like a run; the record holds what was read back from
 * the device before and after, never what was intended. The profile is never picked by hand: it is the one the
 * device was provisioned with, found from its history.
 */
import { z } from 'zod';
import { boundedList, deviceIdSchema, isoTimeSchema, LIMITS } from './bounds';
import { DriftReportSchema } from './drift';
import { diagnosticResultSchema, runOutcomeSchema, runRecordSchema, serviceActionSchema } from './run-record';

/** Where a run was found: this station's store, or the visit kit pulled from the registry (`fieldline visit prepare`). */
export const HistorySourceSchema = z.enum(['store', 'kit']);

/** The provisioning run the device's golden configuration comes from: its last passed provisioning run. */
export const ServiceBasisSchema = z.object({
  runId: z.string().uuid(),
  source: HistorySourceSchema,
  startedAt: isoTimeSchema,
  outcome: runOutcomeSchema,
  station: z.string().max(LIMITS.name),
  profile: z.object({ name: z.string().max(LIMITS.name), version: z.string().max(64), sha256: z.string().max(64) }),
  /** Where the profile's bytes were found (by their SHA-256): the kit, or this station's profile library; absent when nowhere. */
  profileFound: z.object({ source: z.enum(['kit', 'library']), path: z.string().max(LIMITS.path) }).optional(),
  /** The variables that run used (defaults included): the profile is rendered with them. */
  variables: z.record(z.string(), z.string()),
});

export const ServiceCertificateSchema = z.object({
  serial: z.string().max(64),
  subject: z.string().max(1024),
  issuer: z.string().max(1024),
  fingerprintSha256: z.string().max(64),
  notBefore: isoTimeSchema,
  notAfter: isoTimeSchema,
  /** Whole days until notAfter (negative once expired). */
  expiresInDays: z.number().int(),
  /** null: no revocation list at hand knows the certificate's issuer. */
  revoked: z.boolean().nullable(),
  revokedReason: z.string().max(200).optional(),
  /** Issued by this station's CA (so a renewal can revoke it here). */
  issuedHere: z.boolean(),
});

export const ServiceSlotSchema = z.object({
  slot: z.number().int().nonnegative(),
  version: z.string().max(64),
  hash: z.string().max(128).optional(),
  active: z.boolean(),
  confirmed: z.boolean(),
  pending: z.boolean(),
  permanent: z.boolean(),
});

export const ServiceHistoryEntrySchema = z.object({
  runId: z.string().uuid(),
  source: HistorySourceSchema,
  startedAt: isoTimeSchema,
  endedAt: z.string().max(40),
  outcome: runOutcomeSchema,
  station: z.string().max(LIMITS.name),
  profile: z.object({ name: z.string().max(LIMITS.name), version: z.string().max(64) }),
  firmware: z.string().max(64).optional(),
  certificateFingerprint: z.string().max(64).optional(),
  /** Present on a service record: what was done and by whom. */
  service: z.object({ action: serviceActionSchema, operator: z.string().max(LIMITS.name) }).optional(),
});

export const ServiceTodoSchema = z.object({
  kind: z.enum(['firmware', 'certificate-expiring', 'certificate-expired', 'certificate-revoked', 'drift', 'release-drift', 'no-basis', 'no-profile']),
  /** In the technician's words: "firmware 1.0.0 → 1.1.0 released", "certificate expires in 20 days", "2 settings drifted". */
  message: z.string().max(LIMITS.text),
  /** The service action that puts it right, when there is one. */
  action: z.enum(['update', 'renew', 'remediate']).optional(),
});

export const ServiceInspectionSchema = z.object({
  deviceId: deviceIdSchema,
  serial: z.string().max(LIMITS.name),
  /** The port path or BLE address the device was read through. */
  location: z.string().max(LIMITS.path),
  firmware: z.string().max(64),
  /** The certificate in the profile's identity slot; null when the slot holds none (or the basis is unknown). */
  identity: ServiceCertificateSchema.nullable(),
  slots: boundedList(ServiceSlotSchema, 8),
  /** Newest first: the store's runs and the kit's, each once. */
  history: boundedList(ServiceHistoryEntrySchema),
  basis: ServiceBasisSchema.nullable(),
  drift: z.object({
    /** Against the profile the device was provisioned with, rendered with that run's variables. */
    provisioned: DriftReportSchema.nullable(),
    /** Against the current release of that profile name, when it is a different version. */
    release: DriftReportSchema.nullable(),
  }),
  /** The current release of the basis profile's name, when one is known (kit or library). */
  release: z.object({ name: z.string().max(LIMITS.name), version: z.string().max(64), firmware: z.string().max(64).optional() }).nullable(),
  todos: boundedList(ServiceTodoSchema, 64),
});

export const ServiceResultSchema = z.object({
  /** The service record as saved (runs:get answers the same). */
  record: runRecordSchema,
  basis: ServiceBasisSchema,
  action: serviceActionSchema,
  outcome: runOutcomeSchema,
  diagnostics: boundedList(diagnosticResultSchema, 1000),
  /** remediate: the differences written back, and those left (read back after the fix). */
  fixed: boundedList(DriftReportSchema.shape.differences.element).optional(),
  remaining: boundedList(DriftReportSchema.shape.differences.element).optional(),
  /** renew: the old certificate, and whether it was revoked here (and if not, why). */
  revokedOld: z.object({ serial: z.string().max(64), revoked: z.boolean(), reason: z.string().max(LIMITS.text) }).optional(),
});

const deviceArgs = z.tuple([z.object({ deviceId: deviceIdSchema }).strict()]);

export const serviceMethods = {
  /** Reads only: identity, slots, history, basis, drift and to-dos. */
  'service:inspect': { args: deviceArgs, result: ServiceInspectionSchema },
  /** The basis profile's acceptance diagnostics, nothing written to the device. */
  'service:diagnose': { args: deviceArgs, result: ServiceResultSchema },
  /** Writes back every fixable drift difference against the basis profile, then reads back. */
  'service:remediate': { args: deviceArgs, result: ServiceResultSchema },
  /** Firmware of the current release: test → reset → diagnostics → confirm, or revert. */
  'service:update': { args: deviceArgs, result: ServiceResultSchema },
  /** A new on-device key and certificate; the old certificate revoked (superseded) when this station issued it. */
  'service:renew': { args: deviceArgs, result: ServiceResultSchema },
} as const;

export const serviceEvents = {} as const;

export type ServiceBasis = z.output<typeof ServiceBasisSchema>;
export type ServiceCertificate = z.output<typeof ServiceCertificateSchema>;
export type ServiceSlot = z.output<typeof ServiceSlotSchema>;
export type ServiceHistoryEntry = z.output<typeof ServiceHistoryEntrySchema>;
export type ServiceTodo = z.output<typeof ServiceTodoSchema>;
export type ServiceInspection = z.output<typeof ServiceInspectionSchema>;
export type ServiceResult = z.output<typeof ServiceResultSchema>;
