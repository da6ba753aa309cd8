/**
 * Revocation lists through the registry (issue #16): each station uploads its CA's whole revocation list
 * (`PUT /v1/stations/me/revocations`, replacing the one stored for it), and anyone with a token reads every station's
 * (`GET /v1/revocations`) — so a technician's visit kit can tell, offline, whether a device's certificate was revoked
 * by the station that issued it. The list is the station's `ca/revoked.json` (main/pki/crl.ts) plus the issuer DN.
 * Every field is bounded: an upload is untrusted input to the registry, and the reply untrusted input to a client.
 */
import { z } from 'zod';
import { isoTimeSchema } from './record';

export const REVOCATION_LIMITS = {
  /** Entries of one station's list. */
  entries: 100_000,
  /**
   * Bytes of one upload's body. A typical entry (a 20-byte serial, a fingerprint, a time, a short reason) is under
   * 200 bytes of JSON, so a full list fits; a full list of the longest reasons does not, and is answered 413.
   */
  bodyBytes: 32 * 1024 * 1024,
  /** Characters of an issuer DN (as CertificateRecord.issuer). */
  issuerChars: 1024,
  /** Characters of a reason. */
  reasonChars: 256,
} as const;

/** Lower-case hex without leading zeros, at most 20 bytes (RFC 5280 §4.1.2.2): as main/pki/crl.ts normalizes it. */
const certificateSerial = z.string().regex(/^(?:0|[1-9a-f][0-9a-f]{0,39})$/, 'must be a certificate serial in lower-case hex without leading zeros');

export const revocationEntrySchema = z.strictObject({
  serial: certificateSerial,
  /** SHA-256 of the certificate's DER, lower-case hex, when the station knows it. */
  fingerprintSha256: z.string().regex(/^[0-9a-f]{64}$/).optional(),
  revokedAt: isoTimeSchema,
  /** In the station's words ("replaced", "superseded", "rolled back: …"). */
  reason: z.string().max(REVOCATION_LIMITS.reasonChars),
});
export type RevocationEntry = z.infer<typeof revocationEntrySchema>;

/** `PUT /v1/stations/me/revocations`: the calling station's whole list; it replaces the one stored for it. */
export const revocationListUploadSchema = z.strictObject({
  /** The station CA's issuer DN (the intermediate that signs device certificates), as CertificateRecord.issuer prints it. */
  issuer: z.string().min(1).max(REVOCATION_LIMITS.issuerChars),
  entries: z.array(revocationEntrySchema).max(REVOCATION_LIMITS.entries),
});
export type RevocationListUpload = z.infer<typeof revocationListUploadSchema>;

/** One station's list as the registry holds it. */
export const stationRevocationListSchema = z.object({
  station: z.string().max(200),
  issuer: z.string().max(REVOCATION_LIMITS.issuerChars),
  /** When the registry stored this list. */
  updatedAt: z.string().max(40),
  entries: z.array(revocationEntrySchema).max(REVOCATION_LIMITS.entries),
});
export type StationRevocationList = z.infer<typeof stationRevocationListSchema>;

/** The reply to the PUT: what is now stored for the station (the entries counted, not echoed). */
export const revocationListPutReplySchema = z.object({
  station: z.string().max(200),
  issuer: z.string().max(REVOCATION_LIMITS.issuerChars),
  updatedAt: z.string().max(40),
  count: z.number().int().min(0).max(REVOCATION_LIMITS.entries),
});
export type RevocationListPutReply = z.infer<typeof revocationListPutReplySchema>;

/** `GET /v1/revocations[?station=NAME]`: every station's list (or one station's), by station name. */
export const revocationsQuerySchema = z.object({ station: z.string().min(1).max(200).optional() });

export const revocationsReplySchema = z.object({ lists: z.array(stationRevocationListSchema) });
export type RevocationsReply = z.infer<typeof revocationsReplySchema>;
