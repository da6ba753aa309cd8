/**
 * What the rollback undid after a failure: each action, whether the device's read-back shows it undone, what the
 * device held afterwards, and — first and plainly — anything the rollback could not take off the device.
 */
import type { JSX } from 'react';
import type { RunRecord } from '../../../../main/contract/api';
import { Badge, type BadgeLook } from '../../components/Badge';

const LOOK: Record<string, BadgeLook> = {
  done: { icon: '✔', label: 'Done', tone: 'ok' },
  failed: { icon: '✖', label: 'Failed', tone: 'bad' },
  'not-needed': { icon: '–', label: 'Not needed', tone: 'idle' },
};

export function Rollback({ rollback }: { rollback: NonNullable<RunRecord['rollback']> }): JSX.Element {
  const left = rollback.actions.filter((a) => a.leftOnDevice);
  return (
    <section className="panel" aria-labelledby="rollback-title" data-testid="run-rollback">
      <h2 id="rollback-title">Rollback</h2>
      {left.length > 0 ? (
        <p role="alert" data-testid="rollback-left-on-device">
          Left on device: {left.map((a) => a.target ?? a.action).join(', ')} — the rollback could not remove{' '}
          {left.length === 1 ? 'it' : 'them'}; Drift lists {left.length === 1 ? 'it' : 'them'}.
        </p>
      ) : null}
      <ul className="plain-list">
        {rollback.actions.map((a, i) => (
          <li key={i} data-testid="rollback-action" data-outcome={a.outcome}>
            <Badge look={LOOK[a.outcome]} /> {a.action}
            {a.verified ? <span data-testid="rollback-verified"> — device holds: {a.verified}</span> : null}
            {a.detail ? <span className="muted"> ({a.detail})</span> : null}
          </li>
        ))}
      </ul>
    </section>
  );
}
