/**
 * "Replace this device" on the Service visit screen: the old unit's serial, the new unit (a device of the list) and
 * the profile, confirmed in a dialog that says what will happen to the old unit. The answer says what was done —
 * the old certificate is revoked only when the new unit passed.
 */
import { useState, type JSX } from 'react';
import type { ReplacementInfo } from '../../../../main/contract/api';
import { DeviceOptions } from '../../components/DeviceOptions';
import { Dialog } from '../../components/Dialog';
import { replaceDevice } from '../../effects/replace';
import { useDevices } from '../../state/devices';
import { useDrift } from '../../state/drift';
import { usable, useProfiles } from '../../state/profiles';

function Outcome({ result }: { result: ReplacementInfo }): JSX.Element {
  const ok = result.replaced;
  return (
    <p role="status" className={`drift-summary tone-${ok ? 'ok' : 'bad'}`} data-testid="replace-result" data-replaced={ok}>
      <span aria-hidden="true">{ok ? '✔ ' : '✖ '}</span>
      {ok
        ? `${result.newSerial} replaces ${result.oldSerial}: provisioned with its variables, ${result.oldSerial}'s certificate revoked (reason replaced). Run ${result.runId.slice(0, 8)}.`
        : result.outcome !== 'passed'
          ? `The new unit's run ${result.outcome} (run ${result.runId.slice(0, 8)}): ${result.oldSerial} was not replaced and its certificate stays valid.`
          : `The new unit passed, but ${result.oldSerial} was not replaced: ${result.problem?.message ?? 'unknown reason'}.`}{' '}
      <a href={`#/runs/${result.runId}/report`} data-testid="replace-report">
        Open the new unit&apos;s report
      </a>
    </p>
  );
}

/** Defaults for a device page: the unit shown and the profile it was provisioned with. */
export interface ReplacePanelProps {
  readonly defaultOld?: string | undefined;
  readonly defaultProfile?: string | undefined;
}

export function ReplacePanel({ defaultOld, defaultProfile }: ReplacePanelProps = {}): JSX.Element {
  const byId = useDevices((s) => s.byId);
  const profiles = useProfiles((s) => s.list);
  const checkedSerial = useDrift((s) => s.report?.serial);
  const driftProfile = useDrift((s) => s.profilePath);
  const [oldSerial, setOldSerial] = useState<string | undefined>(undefined);
  const [deviceId, setDeviceId] = useState('');
  const [profilePath, setProfilePath] = useState<string | undefined>(undefined);
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<ReplacementInfo | undefined>(undefined);

  // The unit just checked is the likely one to replace, and its profile the likely one for its successor.
  const old = (oldSerial ?? defaultOld ?? checkedSerial ?? '').trim();
  const profile = profilePath ?? defaultProfile ?? driftProfile ?? '';
  const newDevice = deviceId ? byId[deviceId] : undefined;
  const ready = old !== '' && newDevice !== undefined && profile !== '' && !busy;

  const confirm = async (): Promise<void> => {
    setConfirming(false);
    setBusy(true);
    setResult(undefined);
    try {
      setResult(await replaceDevice({ oldSerial: old, deviceId, profilePath: profile }));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="panel" aria-labelledby="replace-title">
      <h2 id="replace-title">Replace this device</h2>
      <p className="muted">
        The new unit is provisioned with the old unit&apos;s variables (from its last passed run). Only once it passes is the old unit&apos;s certificate
        revoked and both records linked.
      </p>
      <form
        className="form form-inline"
        onSubmit={(event) => {
          event.preventDefault();
          if (ready) setConfirming(true);
        }}
      >
        <div className="field">
          <label htmlFor="replace-old">Old unit (serial)</label>
          <input id="replace-old" type="text" data-testid="replace-old" value={old} onChange={(e) => setOldSerial(e.target.value)} autoComplete="off" spellCheck={false} />
        </div>
        <div className="field">
          <label htmlFor="replace-device">New unit</label>
          <select id="replace-device" data-testid="replace-device" value={deviceId} onChange={(e) => setDeviceId(e.target.value)}>
            <option value="">Pick the new unit</option>
            <DeviceOptions exclude={(d) => d.serial !== undefined && d.serial === old} />
          </select>
        </div>
        <div className="field">
          <label htmlFor="replace-profile">Profile</label>
          <select id="replace-profile" data-testid="replace-profile" value={profile} onChange={(e) => setProfilePath(e.target.value || undefined)}>
            <option value="">Pick a profile</option>
            {profiles.filter(usable).map((p) => (
              <option key={p.path} value={p.path}>
                {p.name} {p.version}
              </option>
            ))}
          </select>
        </div>
        <button type="submit" className="button-primary" data-testid="replace-start" disabled={!ready}>
          {busy ? 'Replacing…' : 'Replace this device'}
        </button>
      </form>
      {result && <Outcome result={result} />}
      {confirming && newDevice && (
        <Dialog title="Confirm the replacement" onClose={() => setConfirming(false)} testId="replace-confirm-dialog">
          <p>
            Provision the unit on <strong>{newDevice.path}</strong> with the variables of <strong>{old}</strong>, then revoke {old}&apos;s certificate
            (reason replaced)? A failed run leaves {old} as it is.
          </p>
          <div className="actions">
            <button type="button" className="button-primary" data-testid="replace-confirm" onClick={() => void confirm()}>
              Replace {old}
            </button>
            <button type="button" onClick={() => setConfirming(false)}>
              Cancel
            </button>
          </div>
        </Dialog>
      )}
    </section>
  );
}
