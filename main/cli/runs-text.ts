/**
 * The text forms of `fieldline runs list|show` and `fieldline audit verify`: what a technician reads at a terminal.
 * Plain ASCII apart from the data itself (Windows consoles), times in the machine's local time.
 */
import type { DiagnosticResult, RunRecord } from '../contract/run-record';
import type { AuditEntry, AuditVerdict, RunSummary } from '../store/types';

const pad2 = (n: number): string => String(n).padStart(2, '0');

/** `2026-11-26 06:40:00`, local time; the ISO text itself when it is not a time. */
export function localTime(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return `${d.getFullYear()}-${pad2(d.getMonth() + 1)}-${pad2(d.getDate())} ${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}`;
}

export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '-';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const minutes = Math.floor(ms / 60_000);
  return `${minutes} min ${pad2(Math.round((ms % 60_000) / 1000))} s`;
}

const between = (start: string, end: string): number => Date.parse(end) - Date.parse(start);

/**
 * Columns padded to their widest cell; the last column is not padded, so lines carry no trailing blanks. Columns
 * from `rightFrom` on are right-aligned (figures), so their digits line up.
 */
export function table(header: readonly string[], rows: ReadonlyArray<readonly string[]>, indent = '', rightFrom = Infinity): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const cell = (c: string, i: number, n: number): string =>
    i >= rightFrom ? c.padStart(widths[i] ?? 0) : i === n - 1 ? c : c.padEnd(widths[i] ?? 0);
  const line = (cells: readonly string[]): string => indent + cells.map((c, i) => cell(c, i, cells.length)).join('  ').trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

export function runsTable(runs: readonly RunSummary[]): string {
  if (runs.length === 0) return 'no runs';
  return table(
    ['ID', 'STARTED', 'OUTCOME', 'SERIAL', 'PROFILE', 'STATION', 'DURATION'],
    runs.map((r) => [
      r.id,
      localTime(r.startedAt),
      r.errorCode ? `${r.outcome} (${r.errorCode})` : r.outcome,
      r.serial,
      `${r.profile} ${r.profileVersion}`,
      r.station,
      r.outcome === 'running' ? '-' : formatDuration(between(r.startedAt, r.endedAt)),
    ]),
  );
}

/** `label  value` lines, the values aligned. */
function labelled(facts: ReadonlyArray<readonly [string, string]>): string {
  const width = Math.max(...facts.map(([label]) => label.length));
  return facts.map(([label, value]) => `  ${label.padEnd(width)}  ${value}`).join('\n');
}

const shortHash = (hex: string): string => (hex.length > 16 ? `${hex.slice(0, 8)}…${hex.slice(-8)}` : hex);

function formatValue(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value) ?? '-';
}

function formatLimits(limits: DiagnosticResult['limits']): string {
  const parts: string[] = [];
  if (limits.min !== undefined && limits.max !== undefined) parts.push(`${limits.min}..${limits.max}`);
  else if (limits.min !== undefined) parts.push(`>= ${limits.min}`);
  else if (limits.max !== undefined) parts.push(`<= ${limits.max}`);
  if (limits.pattern !== undefined) parts.push(`/${limits.pattern}/`);
  if (limits.expected !== undefined) parts.push(`= ${formatValue(limits.expected)}`);
  return parts.join(' ') || '-';
}

function firmwareLine(device: RunRecord['device']): string {
  if (device.firmwareBefore && device.firmwareAfter && device.firmwareAfter !== device.firmwareBefore) {
    return `firmware ${device.firmwareBefore} -> ${device.firmwareAfter}`;
  }
  const version = device.firmwareAfter ?? device.firmwareBefore;
  return version ? `firmware ${version}` : 'firmware unknown';
}

/** The whole run: header, steps with outcomes and durations, diagnostics, certificate, rollback. */
export function runText(run: RunRecord): string {
  const out: string[] = [];
  const outcome = run.outcome.toUpperCase();
  out.push(`Run ${run.id}  ${outcome}${run.error ? `  ${run.error.code}: ${run.error.message}` : ''}`);
  const facts: Array<[string, string]> = [
    ['device', `${run.device.serial} on ${run.device.port}, ${firmwareLine(run.device)}`],
    ['profile', `${run.profile.name} ${run.profile.version} (sha256 ${shortHash(run.profile.sha256)}${run.profile.signedBy ? `, signed by ${run.profile.signedBy}` : ''})`],
    ['station', run.station.name],
    ['started', `${localTime(run.startedAt)}${run.outcome === 'running' ? ', still running' : `, took ${formatDuration(between(run.startedAt, run.endedAt))}`}`],
  ];
  if (run.previousRunId) facts.push(['repairs', `run ${run.previousRunId}`]);
  const variables = Object.entries(run.variables);
  if (variables.length > 0) facts.push(['variables', variables.map(([k, v]) => `${k}=${v}`).join(', ')]);
  if (run.configurationHash) facts.push(['config', `sha256 ${run.configurationHash}`]);
  out.push(labelled(facts));

  out.push('', 'Steps');
  out.push(
    table(
      ['STEP', 'OUTCOME', 'DURATION', 'ERROR'],
      run.steps.map((s) => [s.name, s.outcome, formatDuration(between(s.startedAt, s.endedAt)), s.error ? `${s.error.code}: ${s.error.message}` : '']),
      '  ',
    ),
  );

  if (run.diagnostics.length > 0) {
    out.push('', 'Diagnostics');
    out.push(
      table(
        ['', 'CHECK', 'VALUE', 'LIMITS', 'TIME', 'DETAIL'],
        run.diagnostics.map((d) => [
          d.passed ? 'pass' : 'FAIL',
          d.name,
          `${formatValue(d.value)}${d.unit ? ` ${d.unit}` : ''}`,
          formatLimits(d.limits),
          formatDuration(d.durationMs),
          d.detail ?? '',
        ]),
        '  ',
      ),
    );
  }

  const cert = run.certificate;
  if (cert) {
    out.push('', `Certificate (${cert.mode})${cert.revoked ? '  REVOKED' : ''}`);
    out.push(
      labelled([
        ['subject', cert.subject],
        ['issuer', cert.issuer],
        ['serial', cert.serial],
        ['sha256', cert.fingerprintSha256],
        ['valid', `${localTime(cert.notBefore)} to ${localTime(cert.notAfter)}`],
      ]),
    );
  }

  if (run.rollback) {
    out.push('', `Rollback (${formatDuration(between(run.rollback.startedAt, run.rollback.endedAt))})`);
    out.push(table(['ACTION', 'OUTCOME', 'DETAIL'], run.rollback.actions.map((a) => [a.action, a.outcome, a.detail ?? '']), '  '));
  }
  return out.join('\n');
}

/** One audit entry on one line: seq, time, actor, action, subject. */
export function auditEntryLine(e: AuditEntry): string {
  return `${String(e.seq).padStart(5)}  ${e.at}  ${e.actor.padEnd(24)} ${e.action.padEnd(22)} ${e.subject}`;
}

export function auditText(verdict: AuditVerdict): string {
  if (verdict.ok) return `audit log OK: ${verdict.entries} ${verdict.entries === 1 ? 'entry' : 'entries'}, chain intact`;
  const problem = verdict.problem;
  return `audit log BROKEN at entry ${problem?.seq ?? '?'}: ${problem?.reason ?? 'unknown'}\n(${verdict.entries} entries before it verify)`;
}
