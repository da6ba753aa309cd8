/** The station CA: does it exist, is it unlocked (runs need it), and unlocking it with its passphrase. */
import { useState, type JSX } from 'react';
import { formatTime } from '../../components/format';
import { unlockCa } from '../../effects/settings';
import { useSettings } from '../../state/settings';

function CaState(): JSX.Element {
  const ca = useSettings((s) => s.settings?.ca);
  if (!ca) return <p>—</p>;
  const [icon, text] = !ca.initialized
    ? ['✖', 'No CA yet: run `fieldline ca init` (development) or `fieldline ca import` on this station']
    : ca.ready
      ? ['✔', 'Unlocked: runs can be provisioned']
      : ['🔒', 'Locked: unlock it with its passphrase to provision'];
  return (
    <div data-testid="settings-ca-state" data-ready={String(ca.ready)} data-initialized={String(ca.initialized)}>
      <p className={`tone-${ca.ready ? 'ok' : 'warn'} ca-state`}>
        <span aria-hidden="true">{icon} </span>
        {text}
      </p>
      {ca.subject && (
        <dl className="facts">
          <dt>Subject</dt>
          <dd className="mono">{ca.subject}</dd>
          <dt>Valid until</dt>
          <dd>{formatTime(ca.notAfter)}</dd>
        </dl>
      )}
    </div>
  );
}

function UnlockForm(): JSX.Element {
  const [passphrase, setPassphrase] = useState('');
  const [remember, setRemember] = useState(false);
  const saving = useSettings((s) => Boolean(s.saving.unlock));
  return (
    <form
      className="form"
      aria-label="Unlock the station CA"
      onSubmit={(event) => {
        event.preventDefault();
        const typed = passphrase;
        // The passphrase leaves the page's state at once, whatever the answer.
        setPassphrase('');
        void unlockCa(typed, remember);
      }}
    >
      <div className="field">
        <label htmlFor="settings-ca-passphrase">CA passphrase</label>
        <input
          id="settings-ca-passphrase"
          data-testid="settings-ca-passphrase"
          type="password"
          required
          value={passphrase}
          autoComplete="off"
          onChange={(e) => setPassphrase(e.target.value)}
        />
      </div>
      <div className="field field-check">
        <input id="settings-ca-remember" type="checkbox" checked={remember} onChange={(e) => setRemember(e.target.checked)} />
        <label htmlFor="settings-ca-remember">Remember on this station (kept in the system’s secret store)</label>
      </div>
      <div className="actions">
        <button type="submit" className="button-primary" data-testid="settings-ca-unlock" disabled={saving || passphrase === ''}>
          {saving ? 'Unlocking…' : 'Unlock'}
        </button>
      </div>
    </form>
  );
}

/**
 * `details`: the CA's state and subject (an admin's, on a station with operators); `unlock`: the unlock form while the
 * CA is locked (anyone who may unlock it — a technician must, to provision). Neither: nothing at all.
 */
export function CaPanel({ details, unlock }: { details: boolean; unlock: boolean }): JSX.Element | null {
  const locked = useSettings((s) => s.settings?.ca.initialized === true && !s.settings.ca.ready);
  if (!details && !(unlock && locked)) return null;
  return (
    <section className="panel" aria-labelledby="ca-title" data-testid="settings-ca">
      <h2 id="ca-title">{details ? 'Station CA' : 'Unlock the station CA'}</h2>
      {details && <CaState />}
      {unlock && locked && <UnlockForm />}
    </section>
  );
}
