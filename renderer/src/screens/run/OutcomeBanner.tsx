/** The run's outcome in one line a technician reads from across the bench, with the reason and fix when it failed. */
import type { JSX } from 'react';
import type { RunRecord } from '../../../../main/contract/api';
import { Badge, OUTCOME_LOOK } from '../../components/Badge';
import { ErrorText } from '../../components/ErrorText';
import type { RunView } from '../../state/run-view';
import { STEP_LABEL } from './labels';

function headline(run: RunView, record: RunRecord | undefined): string {
  const failedStep = Object.values(run.steps).find((s) => s.state === 'failed');
  switch (run.outcome) {
    case 'running':
      return run.currentStep ? `${STEP_LABEL[run.currentStep]}…` : 'Starting…';
    case 'passed':
      return 'The gateway is provisioned.';
    case 'failed':
      return `${failedStep ? `Failed at ${STEP_LABEL[failedStep.name]}` : 'Failed'}${record?.rollback ? ' — the device was rolled back.' : '.'}`;
    case 'cancelled':
      return `Cancelled${record?.rollback ? ' — the device was rolled back.' : '.'}`;
    case 'interrupted':
      return 'Interrupted: the device vanished. Its next run repairs it.';
  }
}

export function OutcomeBanner({ run, record }: { run: RunView; record: RunRecord | undefined }): JSX.Element {
  const look = OUTCOME_LOOK[run.outcome];
  return (
    <div className={`outcome tone-${look?.tone ?? 'idle'}`} role="status" data-testid="run-outcome" data-outcome={run.outcome}>
      <Badge look={look} />
      <span className="outcome-text">{headline(run, record)}</span>
      {run.outcome !== 'passed' && run.error && (
        <p className="outcome-error">
          <ErrorText error={run.error} />
        </p>
      )}
    </div>
  );
}
