/** Service visit: pick a device and its profile, see how it drifted from the golden configuration, remediate. */
import { useState, type JSX } from 'react';
import { DeviceOptions } from '../../components/DeviceOptions';
import { checkDrift, pickDriftDevice, remediate } from '../../effects/drift';
import { navigate } from '../../effects/navigation';
import { driftStore, useDrift } from '../../state/drift';
import { usable, useProfiles } from '../../state/profiles';
import { ScreenTitle } from '../ScreenTitle';
import { DriftTable } from './DriftTable';
import { RemediateConfirm } from './RemediateConfirm';
import { ReplacePanel } from './ReplacePanel';

function Picks(): JSX.Element {
  const profiles = useProfiles((s) => s.list);
  const deviceId = useDrift((s) => s.deviceId);
  const profilePath = useDrift((s) => s.profilePath);
  const busy = useDrift((s) => s.checking || s.fixing);
  const checking = useDrift((s) => s.checking);
  return (
    <form
      className="form form-inline"
      onSubmit={(event) => {
        event.preventDefault();
        void checkDrift();
      }}
    >
      <div className="field">
        <label htmlFor="drift-device">Device</label>
        <select id="drift-device" data-testid="drift-device" value={deviceId ?? ''} onChange={(e) => void pickDriftDevice(e.target.value || undefined)}>
          <option value="">Pick a device</option>
          <DeviceOptions />
        </select>
      </div>
      <div className="field">
        <label htmlFor="drift-profile">Golden profile</label>
        <select id="drift-profile" data-testid="drift-profile" value={profilePath ?? ''} onChange={(e) => driftStore.getState().pickProfile(e.target.value || undefined)}>
          <option value="">Pick a profile</option>
          {profiles.filter(usable).map((p) => (
            <option key={p.path} value={p.path}>
              {p.name} {p.version}
            </option>
          ))}
        </select>
      </div>
      <button type="submit" data-testid="drift-check" disabled={!deviceId || !profilePath || busy}>
        {checking ? 'Checking…' : 'Check drift'}
      </button>
      {/* The device page finds the profile from the device's history; the check above is against a profile picked by hand. */}
      <button type="button" className="button-primary" data-testid="service-connect" disabled={!deviceId} onClick={() => deviceId && navigate({ screen: 'device', deviceId })}>
        Connect and open its page
      </button>
    </form>
  );
}

function Report(): JSX.Element | null {
  const report = useDrift((s) => s.report);
  const fix = useDrift((s) => s.fix);
  const fixing = useDrift((s) => s.fixing);
  const profilePath = useDrift((s) => s.profilePath);
  const profile = useProfiles((s) => (profilePath ? s.details[profilePath]?.profile : undefined));
  const [confirming, setConfirming] = useState(false);
  if (!report) return null;
  const count = report.differences.length;
  const fixable = report.differences.some((d) => d.fixable);
  return (
    <section className="panel" aria-labelledby="drift-title">
      <h2 id="drift-title">
        {report.serial} against {report.profile.name} {report.profile.version}
      </h2>
      <p className="muted">
        Firmware {report.firmware}
        {report.variablesFrom ? ` · variables from run ${report.variablesFrom.slice(0, 8)}` : ''}
      </p>
      <p className={`drift-summary tone-${count === 0 ? 'ok' : 'bad'}`} role="status" data-testid="drift-summary" data-count={count}>
        <span aria-hidden="true">{count === 0 ? '✔ ' : '✖ '}</span>
        {count === 0 ? 'No drift: the device matches its golden configuration.' : `${count} difference${count === 1 ? '' : 's'} from the golden configuration.`}
      </p>
      <DriftTable differences={report.differences} profile={profile} />
      <div className="actions">
        <button type="button" className="button-primary" data-testid="drift-remediate" disabled={!fixable || fixing} onClick={() => setConfirming(true)}>
          {fixing ? 'Remediating…' : 'Remediate…'}
        </button>
      </div>
      {confirming && (
        <RemediateConfirm
          serial={report.serial}
          differences={report.differences}
          onClose={() => setConfirming(false)}
          onConfirm={() => {
            setConfirming(false);
            void remediate();
          }}
        />
      )}
      {fix && (
        <p role="status" data-testid="drift-fix-result">
          <span aria-hidden="true">{fix.remaining.length === 0 ? '✔ ' : '⚠ '}</span>
          Fixed {fix.fixed.length}; {fix.remaining.length === 0 ? 'nothing remains.' : `${fix.remaining.length} remain (see the table).`} Recorded in the audit log.
        </p>
      )}
    </section>
  );
}

export function DriftScreen(): JSX.Element {
  return (
    <>
      <ScreenTitle>Service visit</ScreenTitle>
      <section className="panel" aria-labelledby="drift-pick-title">
        <h2 id="drift-pick-title">Compare a device with its golden configuration</h2>
        <Picks />
      </section>
      <Report />
      <ReplacePanel />
    </>
  );
}
