/**
 * Remediate asks first: the dialog lists every value it will write (device → golden) and what it cannot change here,
 * so nothing is written to a device the technician has not seen.
 */
import type { JSX } from 'react';
import type { Difference } from '../../../../main/contract/api';
import { Dialog } from '../../components/Dialog';
import { remediationPlan } from '../../state/drift';

const shown = (value: string | null): string => value ?? '(absent)';

export interface RemediateConfirmProps {
  readonly serial: string;
  readonly differences: readonly Difference[];
  onConfirm(): void;
  onClose(): void;
}

export function RemediateConfirm({ serial, differences, onConfirm, onClose }: RemediateConfirmProps): JSX.Element {
  const { writes, leaves } = remediationPlan(differences);
  return (
    <Dialog title="Confirm the remediation" onClose={onClose} testId="remediate-confirm-dialog">
      <p>
        Write {writes.length} golden value{writes.length === 1 ? '' : 's'} back to <strong>{serial}</strong>? The device is read again afterwards.
      </p>
      <div className="table-wrap">
        <table className="table" data-testid="remediate-diff">
          <thead>
            <tr>
              <th scope="col">Kind</th>
              <th scope="col">Name</th>
              <th scope="col">Device now</th>
              <th scope="col">Becomes</th>
            </tr>
          </thead>
          <tbody>
            {writes.map((d) => (
              <tr key={`${d.kind}:${d.name}`} data-testid={`remediate-diff-${d.name}`}>
                <td>{d.kind}</td>
                <th scope="row" className="mono">
                  {d.name}
                </th>
                <td className="mono value-actual">{shown(d.actual)}</td>
                <td className="mono value-expected">{shown(d.expected)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {leaves.length > 0 && (
        <p className="muted" data-testid="remediate-leaves">
          Not changed here: {leaves.map((d) => `${d.kind} ${d.name}`).join(', ')}.
        </p>
      )}
      <div className="actions">
        <button type="button" className="button-primary" data-testid="remediate-confirm" onClick={onConfirm}>
          Write {writes.length} value{writes.length === 1 ? '' : 's'}
        </button>
        <button type="button" onClick={onClose}>
          Cancel
        </button>
      </div>
    </Dialog>
  );
}
