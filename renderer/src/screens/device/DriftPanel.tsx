/**
 * Drift, twice: against the profile the device was provisioned with (found from its history, rendered with that run's
 * variables) and against the current release of that profile, when a newer one is known.
 */
import type { JSX } from 'react';
import type { DriftReportInfo } from '../../../../main/contract/api';
import type { ServiceInspection } from '../../../../main/contract/service';
import { DriftTable } from '../drift/DriftTable';
import { driftWords } from './format';

function Report({ title, report, testId }: { title: string; report: DriftReportInfo; testId: string }): JSX.Element {
  const count = report.differences.length;
  return (
    <div className="device-drift" data-testid={testId} data-count={count}>
      <h3>
        {title}: {report.profile.name} {report.profile.version}
      </h3>
      <p className={`drift-summary tone-${count === 0 ? 'ok' : 'bad'}`} data-testid={`${testId}-summary`}>
        <span aria-hidden="true">{count === 0 ? '✔ ' : '✖ '}</span>
        {driftWords(report)}
      </p>
      {count > 0 && <DriftTable differences={report.differences} profile={undefined} />}
    </div>
  );
}

export function DriftPanel({ inspection }: { inspection: ServiceInspection }): JSX.Element {
  const { provisioned, release } = inspection.drift;
  return (
    <section className="panel" aria-labelledby="device-drift-title">
      <h2 id="device-drift-title">Drift</h2>
      {provisioned ? (
        <Report title="Against the provisioned profile" report={provisioned} testId="drift-provisioned" />
      ) : (
        <p className="empty" data-testid="drift-provisioned-none">
          {inspection.basis
            ? `The profile ${inspection.basis.profile.name} ${inspection.basis.profile.version} is neither in the service kit nor in the profile library: drift cannot be checked.`
            : 'No passed provisioning run of this device is known here or in the service kit: nothing to compare with.'}
        </p>
      )}
      {release ? (
        <Report title="Against the current release" report={release} testId="drift-release" />
      ) : (
        inspection.release && (
          <p className="muted" data-testid="drift-release-same">
            The current release is {inspection.release.name} {inspection.release.version}
            {inspection.basis && inspection.basis.profile.version === inspection.release.version ? ': the device was provisioned with it.' : '.'}
          </p>
        )
      )}
    </section>
  );
}
