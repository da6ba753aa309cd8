/** The start-up doctor's verdict when a check fails: one line above every screen, linking to the Doctor screen. */
import type { JSX } from 'react';
import { failedChecks, useDoctor } from '../state/doctor';
import { useNav } from '../state/nav';

export function DoctorBanner(): JSX.Element | null {
  const report = useDoctor((s) => s.report);
  const failed = failedChecks(report);
  const onDoctor = useNav((s) => s.route.screen === 'doctor');
  if (failed.length === 0 || onDoctor) return null;
  const first = failed[0]!;
  return (
    <div className="doctor-banner" role="status" data-testid="doctor-banner">
      <span className="doctor-banner-icon" aria-hidden="true">
        ✖
      </span>
      <span>
        {failed.length === 1 ? `This machine fails a check: ${first.title}.` : `This machine fails ${failed.length} checks, first: ${first.title}.`}{' '}
        <a href="#/doctor" data-testid="doctor-banner-link">
          Open Doctor for the fix
        </a>
      </span>
    </div>
  );
}
