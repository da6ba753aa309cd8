/** A gateway's page in words: certificate expiry and revocation, image slots, history entries, drift counts. */
import type { Difference, DriftReportInfo } from '../../../../main/contract/api';
import type { ServiceCertificate, ServiceHistoryEntry, ServiceSlot } from '../../../../main/contract/service';
import type { BadgeLook } from '../../components/Badge';

const days = (n: number): string => `${n} day${n === 1 ? '' : 's'}`;

/** "expires in 20 days", "expires today", "expired 3 days ago". */
export function expiryWords(expiresInDays: number): string {
  if (expiresInDays > 0) return `expires in ${days(expiresInDays)}`;
  if (expiresInDays === 0) return 'expires today';
  return `expired ${days(-expiresInDays)} ago`;
}

/** Within 30 days is a warning, as the service logic's renewal to-do (RENEW_WITHIN_DAYS) says it. */
export function expiryLook(expiresInDays: number): BadgeLook {
  const label = expiryWords(expiresInDays);
  if (expiresInDays < 0) return { icon: '✖', label, tone: 'bad' };
  return expiresInDays <= 30 ? { icon: '⚠', label, tone: 'warn' } : { icon: '✔', label, tone: 'ok' };
}

/** null means no revocation list at hand knows the issuer: said so, never shown as "not revoked". */
export function revocationLook(certificate: Pick<ServiceCertificate, 'revoked' | 'revokedReason'>): BadgeLook {
  if (certificate.revoked === true) return { icon: '✖', label: `Revoked${certificate.revokedReason ? ` (${certificate.revokedReason})` : ''}`, tone: 'bad' };
  if (certificate.revoked === false) return { icon: '✔', label: 'Not revoked', tone: 'ok' };
  return { icon: '?', label: 'Unknown: no revocation list for its issuer', tone: 'warn' };
}

/** "active · confirmed", "pending (test) · next boot", as MCUboot's flags read. */
export function slotWords(slot: Pick<ServiceSlot, 'active' | 'confirmed' | 'pending' | 'permanent'>): string {
  const words: string[] = [];
  if (slot.active) words.push('active');
  if (slot.confirmed) words.push('confirmed');
  if (slot.pending) words.push(slot.permanent ? 'pending (permanent)' : 'pending (test)');
  return words.length > 0 ? words.join(' · ') : 'inactive';
}

export const ACTION_LABEL: Record<NonNullable<ServiceHistoryEntry['service']>['action'], string> = {
  diagnose: 'Diagnostics',
  remediate: 'Remediation',
  update: 'Firmware update',
  renew: 'Certificate renewal',
  replace: 'Replacement',
};

/** A timeline entry's title: a provisioning run, or the service action and who did it. */
export function historyTitle(entry: Pick<ServiceHistoryEntry, 'service' | 'profile'>): string {
  if (entry.service) return `${ACTION_LABEL[entry.service.action]} by ${entry.service.operator || 'unknown operator'}`;
  return `Provisioning run · ${entry.profile.name} ${entry.profile.version}`;
}

export const SOURCE_LOOK: Record<ServiceHistoryEntry['source'], BadgeLook> = {
  store: { icon: '▣', label: 'This station', tone: 'idle' },
  kit: { icon: '▤', label: 'Service kit', tone: 'idle' },
};

const KIND_WORD: Record<Difference['kind'], [string, string]> = {
  setting: ['setting', 'settings'],
  file: ['file', 'files'],
  firmware: ['firmware difference', 'firmware differences'],
  identity: ['identity difference', 'identity differences'],
};

/** "No drift", or "2 settings, 1 file drifted". */
export function driftWords(report: Pick<DriftReportInfo, 'differences'>): string {
  if (report.differences.length === 0) return 'No drift';
  const counts = new Map<Difference['kind'], number>();
  for (const d of report.differences) counts.set(d.kind, (counts.get(d.kind) ?? 0) + 1);
  const parts = [...counts].map(([kind, n]) => `${n} ${KIND_WORD[kind][n === 1 ? 0 : 1]}`);
  return `${parts.join(', ')} drifted`;
}
