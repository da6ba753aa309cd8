/**
 * A one-page report of a run that a technician can hand over: device, profile and version, firmware, the
 * certificate's fingerprint and validity, each diagnostic with value and limits, and the outcome. Self-contained
 * HTML (inline CSS, no scripts), printable; every value from the record is escaped.
 */
import type { DiagnosticResult, RunRecord } from '../contract/run-record';
import { formatLimits } from '../contract/limits-text';
import { revokedWords, type CertificateStatus } from '../contract/certificate-status';

const escape = (v: unknown): string =>
  String(v ?? '—').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);

// Limits as people write them (≤ 250 ms, -20 … 70 °C), the same words as the CLI's.
const limits = (r: DiagnosticResult): string => formatLimits(r);

function value(r: DiagnosticResult): string {
  const v = typeof r.value === 'string' && r.value.length > 40 ? `${r.value.slice(0, 16)}…` : r.value;
  return `${typeof v === 'string' ? v : JSON.stringify(v)}${r.unit ? ` ${r.unit}` : ''}`;
}

/**
 * Each rollback action with what the device held when read back afterwards (records from before rollback read back
 * have no such column value: "—"), and first, plainly, anything the rollback could not take off the device.
 */
function rollbackSection(rollback: NonNullable<RunRecord['rollback']>): string {
  const left = rollback.actions.filter((a) => a.leftOnDevice);
  const them = left.length === 1 ? 'it' : 'them';
  const names = left.map((a) => escape(a.target ?? a.action)).join(', ');
  const warning = left.length ? `<p class="fail">Left on device: ${names} — the rollback could not remove ${them}; <code>fieldline drift</code> lists ${them}.</p>` : '';
  const rows = rollback.actions
    .map((a) => {
      const look = a.outcome === 'failed' ? 'fail' : 'pass';
      return `<tr><td>${escape(a.action)}</td><td class="${look}">${escape(a.outcome)}</td><td class="mono">${escape(a.verified)}</td><td>${escape(a.detail)}</td></tr>`;
    })
    .join('');
  return `<h2>Rollback</h2>${warning}<table><tr><th>Action</th><th>Outcome</th><th>Device holds now</th><th>Detail</th></tr>${rows}</table>`;
}

const duration = (a: string, b: string): string => `${((Date.parse(b) - Date.parse(a)) / 1000).toFixed(1)} s`;

/** The certificate's status line: revoked (when and why, from the register), else as the record has it. */
function certificateState(cert: NonNullable<RunRecord['certificate']>, status: CertificateStatus | undefined): { text: string; revoked: boolean } {
  if (status?.state === 'revoked') return { text: revokedWords(status), revoked: true };
  if (cert.revoked) return { text: 'REVOKED (run rolled back)', revoked: true };
  if (status?.state === 'issued') return { text: 'issued, not in service (its run did not pass)', revoked: false };
  return { text: 'valid', revoked: false };
}

/**
 * `status` is where the certificate stands now (main/core/certificate-status.ts): a certificate revoked after the run
 * was saved is reported revoked, with when and why.
 */
export function renderRunReport(record: RunRecord, status?: CertificateStatus): string {
  const ok = record.outcome === 'passed';
  const cert = record.certificate;
  const certState = cert ? certificateState(cert, status) : undefined;
  const rows = (pairs: Array<[string, unknown]>): string => pairs.map(([k, v]) => `<tr><th>${escape(k)}</th><td>${escape(v)}</td></tr>`).join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>Fieldline run ${escape(record.id)} — ${escape(record.device.serial)}</title>
<style>
body{font:14px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:52rem;color:#1b1f24}
h1{font-size:1.4rem;margin:0 0 .2rem}h2{font-size:1.05rem;margin:1.4rem 0 .4rem;border-bottom:1px solid #d0d7de}
.outcome{display:inline-block;padding:.2rem .7rem;border-radius:4px;font-weight:700;color:#fff;background:${ok ? '#1a7f37' : '#cf222e'}}
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:.25rem .5rem;border-bottom:1px solid #eaeef2;vertical-align:top}
th{width:30%;font-weight:600}.mono{font-family:ui-monospace,monospace;word-break:break-all}.pass{color:#1a7f37}.fail{color:#cf222e;font-weight:700}
@media print{body{margin:0}}
</style></head><body>
<h1>Gateway ${escape(record.device.serial)} <span class="outcome">${escape(record.outcome.toUpperCase())}</span></h1>
<p>Run <span class="mono">${escape(record.id)}</span>, ${escape(record.startedAt)} (${escape(duration(record.startedAt, record.endedAt))}) at station ${escape(record.station.name)}</p>
<h2>Device and profile</h2><table>${rows([
    ['Serial', record.device.serial],
    ['Port', record.device.port],
    ['Firmware', `${record.device.firmwareBefore ?? '—'} → ${record.device.firmwareAfter ?? '—'}`],
    // Only a verified signature is named: a run that installed nothing, or checked no signature, shows a dash.
    ['Firmware signed by', record.firmwareSignedBy ? `${record.firmwareSignedBy.algorithm} key, MCUboot key hash ${record.firmwareSignedBy.keyHash}` : '—'],
    ['Profile', `${record.profile.name} ${record.profile.version}`],
    ['Profile SHA-256', record.profile.sha256],
    ['Variables', Object.entries(record.variables).map(([k, v]) => `${k}=${v}`).join(', ') || '—'],
    ['Configuration hash', record.configurationHash],
  ])}</table>
<h2>Identity certificate</h2>${
    cert && certState?.revoked ? `<p class="fail" id="certificate-revoked">This certificate is ${escape(certState.text)}. It must not be trusted.</p>` : ''
  }${
    cert
      ? `<table>${rows([
          ['Subject', cert.subject],
          ['Serial', cert.serial],
          ['SHA-256 fingerprint', cert.fingerprintSha256],
          ['Valid', `${cert.notBefore} to ${cert.notAfter}`],
          ['Issuer', cert.issuer],
          ['Mode', cert.mode === 'csr' ? 'csr (key generated on the device)' : 'inject (key generated by the station)'],
          ['Status', certState?.text ?? 'valid'],
        ])}</table>`
      : '<p>No certificate issued.</p>'
  }
<h2>Acceptance diagnostics</h2>${
    record.diagnostics.length
      ? `<table><tr><th>Check</th><th>Value</th><th>Limits</th><th>Result</th></tr>${record.diagnostics
          .map((r) => `<tr><td>${escape(r.name)}</td><td class="mono">${escape(value(r))}</td><td>${escape(limits(r))}</td><td class="${r.passed ? 'pass' : 'fail'}">${r.passed ? 'pass' : 'FAIL'}</td></tr>`)
          .join('')}</table>`
      : '<p>No diagnostics ran.</p>'
  }
<h2>Steps</h2><table>${record.steps
    .map((s) => `<tr><th>${escape(s.name)}</th><td class="${s.outcome === 'failed' ? 'fail' : 'pass'}">${escape(s.outcome)} (${escape(duration(s.startedAt, s.endedAt))})${s.error ? ` — ${escape(s.error.message)}` : ''}</td></tr>`)
    .join('')}</table>
${record.error ? `<h2>Error</h2><p class="fail">${escape(record.error.code)}: ${escape(record.error.message)}</p>` : ''}
${record.rollback ? rollbackSection(record.rollback) : ''}
<p style="margin-top:2rem;color:#57606a">Generated by Fieldline.</p>
</body></html>
`;
}
