/**
 * Says plainly that a run's certificate is revoked — when and why, as the station's register and CA list have it —
 * so a failed run's certificate (fingerprint, validity) is never read as a valid identity. Nothing when it is not.
 */
import type { JSX } from 'react';
import { revokedWords, type CertificateStatus } from '../../../../main/contract/certificate-status';
import type { RunRecord } from '../../../../main/contract/api';
import { formatTime } from '../../components/format';

/** The status to show: the register's, else what the record itself says (revoked by the run's own rollback). */
export function certificateShown(record: RunRecord | undefined, status: CertificateStatus | undefined): CertificateStatus | undefined {
  if (!record?.certificate) return undefined;
  if (status) return status;
  return record.certificate.revoked ? { state: 'revoked' } : undefined;
}

export function CertificateRevoked({ record, status }: { record: RunRecord | undefined; status: CertificateStatus | undefined }): JSX.Element | null {
  const shown = certificateShown(record, status);
  if (!record?.certificate || shown?.state !== 'revoked') return null;
  return (
    <p className="certificate-revoked" role="note" data-testid="certificate-revoked" data-reason={shown.reason ?? ''}>
      <span aria-hidden="true">⊘ </span>
      <strong>Certificate {record.certificate.serial} {revokedWords(shown, formatTime)}.</strong> It was issued to this device by the run and must
      not be trusted.
    </p>
  );
}
