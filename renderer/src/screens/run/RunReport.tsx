/**
 * The hand-over report of a finished run, as one printable page: device, profile, firmware, certificate, each
 * diagnostic with value and limits, outcome. Built from the run record (runs:get); Print uses the browser's dialog.
 */
import type { JSX } from 'react';
import type { RunRecord } from '../../../../main/contract/api';
import { Badge, FAIL_LOOK, OUTCOME_LOOK, PASS_LOOK } from '../../components/Badge';
import { formatLimits, formatTime, formatValue } from '../../components/format';
import { Serial } from '../../components/Serial';
import { shortId } from '../../effects/runs';
import { useRuns } from '../../state/runs';
import { revokedWords, type CertificateStatus } from '../../../../main/contract/certificate-status';
import { ScreenTitle } from '../ScreenTitle';
import { CertificateRevoked, certificateShown } from './CertificateRevoked';

function Facts({ record, status }: { record: RunRecord; status: CertificateStatus | undefined }): JSX.Element {
  const cert = record.certificate;
  const shown = certificateShown(record, status);
  const rows: Array<[string, string]> = [
    ['Run', record.id],
    ['Device serial', record.device.serial || '—'],
    // Only a passed replacement names it, once the old unit's certificate was revoked.
    ...(record.replaces ? ([['Replaces', `${record.replaces} (its certificate revoked)`]] as Array<[string, string]>) : []),
    ['Port', record.device.port],
    ['Firmware', `${record.device.firmwareBefore ?? '—'} → ${record.device.firmwareAfter ?? record.device.firmwareBefore ?? '—'}`],
    // Named only when the run verified the image's signature against the profile's keys and installed it.
    ['Firmware signed by', record.firmwareSignedBy ? `${record.firmwareSignedBy.algorithm} key ${record.firmwareSignedBy.keyHash}` : '—'],
    ['Profile', `${record.profile.name} ${record.profile.version}${record.profile.signedBy ? ` (signed by ${record.profile.signedBy})` : ''}`],
    ['Profile SHA-256', record.profile.sha256],
    ['Station', record.station.name],
    ['Started', formatTime(record.startedAt)],
    ['Ended', formatTime(record.endedAt || undefined)],
  ];
  if (cert) {
    rows.push(['Certificate', cert.subject], ['Fingerprint (SHA-256)', cert.fingerprintSha256], ['Valid', `${formatTime(cert.notBefore)} → ${formatTime(cert.notAfter)}`]);
    rows.push(['Certificate status', shown?.state === 'revoked' ? revokedWords(shown, formatTime) : shown?.state === 'issued' ? 'issued, not in service (its run did not pass)' : 'valid']);
  }
  if (record.configurationHash) rows.push(['Configuration hash', record.configurationHash]);
  return (
    <dl className="facts report-facts">
      {rows.map(([k, v]) => (
        <div key={k} className="fact">
          <dt>{k}</dt>
          {/* The serial whole (a .mono value breaks anywhere, as a fingerprint must). */}
          <dd className="mono">{k === 'Device serial' && v !== '—' ? <Serial value={v} /> : v}</dd>
        </div>
      ))}
    </dl>
  );
}

export function RunReport({ runId }: { runId: string }): JSX.Element {
  const record = useRuns((s) => s.records[runId]);
  const certificate = useRuns((s) => s.certificates[runId]);
  return (
    <article className="report" data-testid="run-report-page">
      <ScreenTitle>Report — run {shortId(runId)}</ScreenTitle>
      <div className="actions no-print">
        <a className="button" href={`#/runs/${runId}`}>
          Back to the run
        </a>
        <button type="button" className="button-primary" disabled={!record} onClick={() => window.print()}>
          Print
        </button>
      </div>
      {!record ? (
        <p className="empty">Loading the run record…</p>
      ) : (
        <>
          <p className="report-outcome" data-testid="report-outcome" data-outcome={record.outcome}>
            Outcome: <Badge look={OUTCOME_LOOK[record.outcome]} />
            {record.error ? ` — ${record.error.message}` : ''}
          </p>
          <CertificateRevoked record={record} status={certificate} />
          <Facts record={record} status={certificate} />
          <h2>Diagnostics</h2>
          <table className="table">
            <thead>
              <tr>
                <th scope="col">Check</th>
                <th scope="col">Value</th>
                <th scope="col">Limits</th>
                <th scope="col">Result</th>
              </tr>
            </thead>
            <tbody>
              {record.diagnostics.map((d) => (
                <tr key={d.name}>
                  <th scope="row">{d.name}</th>
                  <td className="mono">
                    {formatValue(d.value)}
                    {d.unit ? ` ${d.unit}` : ''}
                  </td>
                  <td className="mono">{formatLimits(d.limits, d.unit)}</td>
                  <td>
                    <Badge look={d.passed ? PASS_LOOK : FAIL_LOOK} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </article>
  );
}
