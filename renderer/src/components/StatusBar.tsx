/**
 * Always visible: online or offline, queue size, runs under way, the operator (on a station with operators: who is
 * signed in here, their role, and Sign out), a locked CA, and — in a browser — whether the station connection is up.
 * Each item selects one value, so progress storms never re-render it.
 */
import type { JSX, ReactNode } from 'react';
import { signOut } from '../effects/session';
import { mustSignIn, useSession } from '../state/session';
import { useStation } from '../state/station';

function Item({ label, children, testId, tone }: { label: string; children: ReactNode; testId?: string; tone?: string }): JSX.Element {
  return (
    <div className={`status-item${tone ? ` tone-${tone}` : ''}`}>
      <span className="status-label">{label}</span>
      <span className="status-value" data-testid={testId}>
        {children}
      </span>
    </div>
  );
}

function Online(): JSX.Element {
  const online = useStation((s) => s.status?.online);
  const known = online !== undefined;
  return (
    <div className={`status-item tone-${online ? 'ok' : 'warn'}`}>
      <span className="status-label">Registry</span>
      <span className="status-value" data-testid="online-state" data-online={known ? String(online) : 'unknown'}>
        <span aria-hidden="true">{online ? '●' : '○'} </span>
        {!known ? 'Unknown' : online ? 'Online' : 'Offline'}
      </span>
    </div>
  );
}

function Connection(): JSX.Element | null {
  const connection = useStation((s) => s.connection);
  if (connection === 'open') return null;
  const text = connection === 'unauthorized' ? 'Station refused this page’s token' : connection === 'connecting' ? 'Connecting to the station…' : 'Station connection lost — reconnecting';
  return (
    <div className="status-item tone-bad" role="status" data-testid="connection-state" data-connection={connection}>
      <span aria-hidden="true">⚠ </span>
      {text}
    </div>
  );
}

/** The signed-in operator and their role, with Sign out; on a station without operators, the operator's name. */
function Operator(): JSX.Element | null {
  const fallback = useStation((s) => s.status?.operator);
  const name = useSession((s) => s.session?.operator?.name);
  const role = useSession((s) => s.session?.operator?.role);
  const claimed = useSession((s) => s.session?.claimed === true);
  const idleLockMs = useSession((s) => s.session?.idleLockMs);
  if (name === undefined || role === undefined) return fallback && !claimed ? <Item label="Operator">{fallback}</Item> : null;
  return (
    <div className="status-item status-operator">
      <span className="status-label">Signed in</span>
      <span className="status-value" data-testid="status-operator" data-role={role} data-idle-lock-ms={idleLockMs}>
        {name} <span className="status-role">({role})</span>
      </span>
      <button type="button" className="status-signout" data-testid="sign-out" onClick={() => void signOut()}>
        Sign out
      </button>
    </div>
  );
}

export function StatusBar(): JSX.Element {
  const queueSize = useStation((s) => s.status?.queueSize);
  const activeRuns = useStation((s) => s.status?.activeRuns);
  const caReady = useStation((s) => s.status?.caReady);
  const version = useStation((s) => s.app?.version);
  // On the sign-in screen the station's figures are not read (nobody may see them yet): no empty dashes for them.
  const locked = useSession((s) => mustSignIn(s.session));
  return (
    <header className="status-bar" aria-label="Station status">
      <div className="brand">
        <span className="brand-name">Fieldline</span>
        {version && (
          <span className="brand-version" data-testid="app-version">
            Version {version}
          </span>
        )}
      </div>
      {!locked && (
        <>
          <Online />
          <Item label="Queue" testId="status-queue">
            {queueSize ?? '—'}
          </Item>
          <Item label="Active runs" testId="status-active-runs">
            {activeRuns ?? '—'}
          </Item>
        </>
      )}
      <Operator />
      {!locked && caReady === false && (
        <Item label="Station CA" testId="status-ca" tone="warn">
          <a href="#/settings">
            <span aria-hidden="true">🔒 </span>Locked — unlock in Settings
          </a>
        </Item>
      )}
      <Connection />
    </header>
  );
}
