/**
 * Doctor: what on this machine stands between it and a working station — each check with its state, what it found
 * and the exact fix (the same report as `fieldline doctor`). Failures first, then warnings, so the list reads as a
 * to-do list; what passed is still there, below.
 */
import type { JSX } from 'react';
import type { DoctorCheck } from '../../../../main/contract/api';
import { Badge, type BadgeLook } from '../../components/Badge';
import { formatTime } from '../../components/format';
import { runDoctor } from '../../effects/doctor';
import { useDoctor } from '../../state/doctor';
import { ScreenTitle } from '../ScreenTitle';

export const DOCTOR_LOOK: Record<DoctorCheck['status'], BadgeLook> = {
  fail: { icon: '✖', label: 'Fails', tone: 'bad' },
  warn: { icon: '⚠', label: 'Warning', tone: 'warn' },
  pass: { icon: '✔', label: 'OK', tone: 'ok' },
  skip: { icon: '–', label: 'Not checked', tone: 'idle' },
};

const ORDER: Record<DoctorCheck['status'], number> = { fail: 0, warn: 1, pass: 2, skip: 3 };

function CheckRow({ check }: { check: DoctorCheck }): JSX.Element {
  const needsFix = check.status === 'fail' || check.status === 'warn';
  return (
    <li className={`doctor-check doctor-${check.status}`} data-testid={`doctor-check-${check.id}`} data-status={check.status}>
      <div className="doctor-check-head">
        <Badge look={DOCTOR_LOOK[check.status]} />
        <h3>{check.title}</h3>
      </div>
      <p className="doctor-found">{check.found}</p>
      {needsFix ? (
        <p className="doctor-fix">
          <span className="doctor-fix-label">Fix: </span>
          <code>{check.fix}</code>
        </p>
      ) : null}
    </li>
  );
}

export function DoctorScreen(): JSX.Element {
  const report = useDoctor((s) => s.report);
  const running = useDoctor((s) => s.running);
  const checks = report ? [...report.checks].sort((a, b) => ORDER[a.status] - ORDER[b.status]) : [];
  return (
    <>
      <ScreenTitle>Doctor</ScreenTitle>
      <section className="panel" aria-labelledby="doctor-summary-title">
        <div className="panel-head">
          <h2 id="doctor-summary-title">This machine</h2>
          <button type="button" data-testid="doctor-run" onClick={() => void runDoctor()} disabled={running} aria-busy={running}>
            {running ? 'Checking…' : 'Run again'}
          </button>
        </div>
        <p data-testid="doctor-summary" aria-live="polite">
          {!report
            ? running
              ? 'Checking…'
              : 'Not checked yet.'
            : `${report.counts.fail} failing, ${report.counts.warn} warning${report.counts.warn === 1 ? '' : 's'}, ${report.counts.pass} OK, ${report.counts.skip} not checked — ${formatTime(report.startedAt)}, in ${report.ms} ms`}
        </p>
      </section>
      {report ? (
        <ul className="doctor-list" data-testid="doctor-list" aria-label="Checks">
          {checks.map((check) => (
            <CheckRow key={check.id} check={check} />
          ))}
        </ul>
      ) : null}
    </>
  );
}
