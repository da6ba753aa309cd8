/**
 * Where a run's certificate stands now — not only what the run record said when it was written. A certificate can be
 * revoked after its run ended (`fieldline repair`, a replacement, a later run that superseded it), and a report that
 * shows its fingerprint and validity without saying so reads as a valid identity. The station's certificate register
 * (the store) says whether and when; the CA's revocation list says why.
 */
import { z } from 'zod';
import { boundedText, isoTimeSchema } from './bounds';

export const CertificateStatusSchema = z.object({
  /** none: the run issued no certificate; then the register's state (issued: its run did not pass, or not yet). */
  state: z.enum(['none', 'issued', 'in-service', 'revoked']),
  /** When it was revoked (the CA's list, else when the register marked it). */
  revokedAt: isoTimeSchema.optional(),
  /** Why, in the words the station revoked it with ("rolled back: …", "superseded", "replaced"). */
  reason: boundedText(1000).optional(),
});

export type CertificateStatus = z.output<typeof CertificateStatusSchema>;

/** "REVOKED on <time> — <reason>", as the reports and the run view say it; the time as the caller formats it. */
export function revokedWords(status: CertificateStatus, formatTime: (iso: string) => string = (iso) => iso): string {
  const when = status.revokedAt ? ` on ${formatTime(status.revokedAt)}` : '';
  return `REVOKED${when}${status.reason ? ` — ${status.reason}` : ''}`;
}
