/**
 * Start and stop the line: the profile (the batch profile unless another is picked here), how many gateways at
 * once, whether each gateway waits for its label to be scanned, and the mode — first pass (gateways that passed
 * before are left alone: "passed earlier") or a rework that provisions them again, keeping their identity (verified)
 * or replacing it. A rework is confirmed before the line starts. The batch variables are the Devices screen's.
 */
import { useState, type JSX } from 'react';
import { formatTime } from '../../components/format';
import { ProfileOptions } from '../../components/ProfileOptions';
import { startLine, stopLine } from '../../effects/line';
import { lineStore, useLine } from '../../state/line';
import { usable, useProfiles } from '../../state/profiles';
import { allows, useSession } from '../../state/session';

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
      {status.rework ? ` · rework: gateways that passed before are provisioned again, identity ${status.rework === 'keep' ? 'kept' : 'replaced'}` : ''}
      {' · '}
      {status.printer ? `labels print on ${status.printer}` : 'no label printer set (Settings)'}
    </p>
  );
}

type Flag = 'requireScan' | 'ble';

const MODE_WORDS = {
  keep: 'Rework: keep each identity (verified: chain, revocation, expiry, subject, key)',
  replace: 'Rework: replace each identity (new certificate, the old one revoked)',
} as const;

function ModeChoice({ disabled }: { disabled: boolean }): JSX.Element {
  const rework = useLine((s) => s.choice.rework);
  // Rework needs a supervisor on a station with operators (the core refuses it to a technician anyway).
  const mayRework = useSession((s) => allows(s.session, 'rework'));
  return (
    <div className="field">
      <label htmlFor="line-mode">Mode</label>
      <select
        id="line-mode"
        data-testid="line-mode"
        value={rework ?? 'first-pass'}
        disabled={disabled}
        onChange={(e) => {
          const value = e.target.value;
          lineStore.getState().choose({ rework: value === 'keep' || value === 'replace' ? value : undefined });
        }}
      >
        <option value="first-pass">First pass: boards that passed before are left alone</option>
        <option value="keep" disabled={!mayRework}>
          {MODE_WORDS.keep}
        </option>
        <option value="replace" disabled={!mayRework}>
          {MODE_WORDS.replace}
        </option>
      </select>
    </div>
  );
}

/** A rework provisions boards that already passed: the operator confirms it before any board is touched. */
function ConfirmRework({ mode, onConfirm, onCancel }: { mode: 'keep' | 'replace'; onConfirm: () => void; onCancel: () => void }): JSX.Element {
  return (
    <div className="confirm" role="alertdialog" aria-labelledby="rework-confirm-title" aria-describedby="rework-confirm-text" data-testid="rework-confirm">
      <h3 id="rework-confirm-title">Start a rework?</h3>
      <p id="rework-confirm-text">
        Every board plugged in is provisioned again, also those that passed before.{' '}
        {mode === 'keep'
          ? 'Each board keeps its certificate only if it still verifies; a board whose certificate does not is failed, not changed.'
          : 'Each board gets a new certificate; its old certificate is revoked once the new one is installed and proved.'}
      </p>
      <div className="actions">
        <button type="button" className="button-primary" data-testid="rework-confirm-start" onClick={onConfirm}>
          Start rework ({mode === 'keep' ? 'keep identity' : 'replace identity'})
        </button>
        <button type="button" data-testid="rework-confirm-cancel" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </div>
  );
}

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
  const [confirming, setConfirming] = useState(false);
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
          if (running) void stopLine();
          else if (choice.rework) setConfirming(true);
          else void startLine();
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
        <ModeChoice disabled={running || confirming} />
        {running ? (
          <button type="submit" className="button-danger" data-testid="line-stop" disabled={stopping}>
            {stopping ? 'Stopping…' : 'Stop line'}
          </button>
        ) : (
          <button type="submit" className="button-primary" data-testid="line-start" disabled={starting || stopping || confirming || !profilePath}>
            {starting ? 'Starting…' : choice.rework ? 'Start rework…' : 'Start line'}
          </button>
        )}
      </form>
      {confirming && choice.rework && !running ? (
        <ConfirmRework
          mode={choice.rework}
          onConfirm={() => {
            setConfirming(false);
            void startLine();
          }}
          onCancel={() => setConfirming(false)}
        />
      ) : null}
      <p className="field-help">Batch variables come from the Devices screen. Stopping cancels the runs under way; their gateways are rolled back.</p>
      <Running />
    </section>
  );
}
