/**
 * Start and stop the line: the profile (the batch profile unless another is picked here), how many gateways at
 * once, whether each gateway waits for its label to be scanned, and whether gateways that passed before are
 * provisioned again (by default they are left alone: "passed earlier"). The batch variables are the Devices screen's.
 */
import type { JSX } from 'react';
import { formatTime } from '../../components/format';
import { ProfileOptions } from '../../components/ProfileOptions';
import { startLine, stopLine } from '../../effects/line';
import { lineStore, useLine } from '../../state/line';
import { usable, useProfiles } from '../../state/profiles';

const CONCURRENCY = [1, 2, 4, 8, 16, 32, 64];

function Running(): JSX.Element | null {
  const status = useLine((s) => s.status);
  if (!status?.running) return null;
  return (
    <p className="line-running" role="status">
      <span aria-hidden="true">● </span>
      Running {status.profile ? `${status.profile.name} ${status.profile.version}` : ''} since {formatTime(status.startedAt)} · {status.concurrency} at once
      {status.requireScan ? ' · each gateway waits for its label scan' : ' · zero-touch: every gateway plugged in is provisioned'}
      {status.ble ? ' · Bluetooth gateways in range too' : ''}
      {status.reprovision ? ' · gateways that passed before are provisioned again' : ''}
      {' · '}
      {status.printer ? `labels print on ${status.printer}` : 'no label printer set (Settings)'}
    </p>
  );
}

type Flag = 'requireScan' | 'ble' | 'reprovision';

/** One of the line's on/off choices, as a labelled checkbox. */
function LineOption({ id, option, disabled, children }: { id: string; option: Flag; disabled: boolean; children: string }): JSX.Element {
  const checked = useLine((s) => s.choice[option]);
  return (
    <div className="field field-check">
      <input id={id} data-testid={id} type="checkbox" checked={checked} disabled={disabled} onChange={(e) => lineStore.getState().choose({ [option]: e.target.checked })} />
      <label htmlFor={id}>{children}</label>
    </div>
  );
}

export function LineControls(): JSX.Element {
  const running = useLine((s) => Boolean(s.status?.running));
  const stoppingRemote = useLine((s) => Boolean(s.status?.stopping));
  const starting = useLine((s) => s.starting);
  const stopping = useLine((s) => s.stopping) || stoppingRemote;
  const choice = useLine((s) => s.choice);
  const list = useProfiles((s) => s.list);
  const batchPath = useProfiles((s) => s.choice.profilePath);
  const profilePath = useLine((s) => s.choice.profilePath) ?? batchPath;
  const options = list.filter(usable);
  return (
    <section className="panel" aria-labelledby="line-title">
      <div className="panel-head">
        <h2 id="line-title">Line</h2>
        <span className={`line-state tone-${running ? 'ok' : 'idle'}`} data-testid="line-state" data-running={String(running)}>
          <span aria-hidden="true">{running ? '● ' : '○ '}</span>
          {stopping ? 'Stopping…' : running ? 'Running' : 'Stopped'}
        </span>
      </div>
      <form
        className="form form-inline"
        onSubmit={(event) => {
          event.preventDefault();
          void (running ? stopLine() : startLine());
        }}
      >
        <div className="field">
          <label htmlFor="line-profile">Profile</label>
          <select
            id="line-profile"
            data-testid="line-profile"
            value={profilePath ?? ''}
            disabled={running || options.length === 0}
            onChange={(e) => lineStore.getState().choose({ profilePath: e.target.value || undefined })}
          >
            <ProfileOptions options={options} empty="No usable profile — import one" />
          </select>
        </div>
        <div className="field">
          <label htmlFor="line-concurrency">At once</label>
          <select
            id="line-concurrency"
            data-testid="line-concurrency"
            value={choice.concurrency}
            disabled={running}
            onChange={(e) => lineStore.getState().choose({ concurrency: Number(e.target.value) })}
          >
            {CONCURRENCY.map((n) => (
              <option key={n} value={n}>
                {n}
              </option>
            ))}
          </select>
        </div>
        <LineOption id="line-require-scan" option="requireScan" disabled={running}>
          Wait for each board’s label scan
        </LineOption>
        <LineOption id="line-ble" option="ble" disabled={running}>
          Bluetooth gateways in range too
        </LineOption>
        <LineOption id="line-reprovision" option="reprovision" disabled={running}>
          Provision again boards that passed before
        </LineOption>
        {running ? (
          <button type="submit" className="button-danger" data-testid="line-stop" disabled={stopping}>
            {stopping ? 'Stopping…' : 'Stop line'}
          </button>
        ) : (
          <button type="submit" className="button-primary" data-testid="line-start" disabled={starting || stopping || !profilePath}>
            {starting ? 'Starting…' : 'Start line'}
          </button>
        )}
      </form>
      <p className="field-help">Batch variables come from the Devices screen. Stopping cancels the runs under way; their gateways are rolled back.</p>
      <Running />
    </section>
  );
}
