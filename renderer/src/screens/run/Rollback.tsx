/** What the rollback undid after a failure: each action and whether it was done. */
import type { JSX } from 'react';
import type { RunRecord } from '../../../../main/contract/api';
import { Badge, type BadgeLook } from '../../components/Badge';

const LOOK: Record<string, BadgeLook> = {
  done: { icon: '✔', label: 'Done', tone: 'ok' },
  failed: { icon: '✖', label: 'Failed', tone: 'bad' },
  'not-needed': { icon: '–', label: 'Not needed', tone: 'idle' },
};

export function Rollback({ rollback }: { rollback: NonNullable<RunRecord['rollback']> }): JSX.Element {
  return (
    <section className="panel" aria-labelledby="rollback-title" data-testid="run-rollback">
      <h2 id="rollback-title">Rollback</h2>
      <ul className="plain-list">
        {rollback.actions.map((a, i) => (
          <li key={i} data-testid="rollback-action" data-outcome={a.outcome}>
            <Badge look={LOOK[a.outcome]} /> {a.action}
            {a.detail ? <span className="muted"> — {a.detail}</span> : null}
          </li>
        ))}
      </ul>
    </section>
  );
}
