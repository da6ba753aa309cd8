/**
 * Start and stop the line: the profile (the batch profile unless another is picked here), how many gateways at
 * once, whether each gateway waits for its label to be scanned, and whether gateways that passed before are
 * provisioned again (by default they are left alone: "passed earlier"). The batch variables are the Devices screen's.
 */
import type { JSX } from 'react';
import { formatTime } from '../../components/format';
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
            {options.length === 0 && <option value="">No usable profile — import one</option>}
            {options.map((p) => (
              <option key={p.path} value={p.path}>
                {p.name} {p.version} ({p.source === 'example' ? 'example' : p.fileName})
              </option>
            ))}
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
        <div className="field field-check">
          <input
            id="line-require-scan"
            data-testid="line-require-scan"
            type="checkbox"
            checked={choice.requireScan}
            disabled={running}
            onChange={(e) => lineStore.getState().choose({ requireScan: e.target.checked })}
          />
          <label htmlFor="line-require-scan">Wait for each board’s label scan</label>
        </div>
        <div className="field field-check">
          <input
            id="line-ble"
            data-testid="line-ble"
            type="checkbox"
            checked={choice.ble}
            disabled={running}
            onChange={(e) => lineStore.getState().choose({ ble: e.target.checked })}
          />
          <label htmlFor="line-ble">Bluetooth gateways in range too</label>
        </div>
        <div className="field field-check">
          <input
            id="line-reprovision"
            data-testid="line-reprovision"
            type="checkbox"
            checked={choice.reprovision}
            disabled={running}
            onChange={(e) => lineStore.getState().choose({ reprovision: e.target.checked })}
          />
          <label htmlFor="line-reprovision">Provision again boards that passed before</label>
        </div>
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
