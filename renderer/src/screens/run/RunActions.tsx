/**
 * Retry (same device, profile and variables), Cancel (the device is rolled back), Open report, Print label. A passed
 * run is done: its next step is the report (and the label), so Open report leads and Retry becomes "Run again", a
 * secondary button; a run that did not pass leads with Retry.
 */
import type { JSX } from 'react';
import { navigate } from '../../effects/navigation';
import { cancelRun, retryRun } from '../../effects/runs';
import { useDevices } from '../../state/devices';
import type { RunView } from '../../state/run-view';
import { useRuns } from '../../state/runs';
import { LabelAction } from './LabelAction';

export function RunActions({ run }: { run: RunView }): JSX.Element {
  const cancelling = useRuns((s) => Boolean(s.cancelling[run.runId]));
  const starting = useDevices((s) => Boolean(run.deviceId && s.starting[run.deviceId]));
  const deviceHere = useDevices((s) => Boolean(run.deviceId && s.byId[run.deviceId] && s.byId[run.deviceId]?.state !== 'gone'));
  const running = run.outcome === 'running';
  const passed = run.outcome === 'passed';
  const retry = (
    <button
      type="button"
      className={passed ? undefined : 'button-primary'}
      data-testid="run-retry"
      disabled={running || starting || !deviceHere}
      title={deviceHere ? undefined : 'The device is not connected'}
      onClick={() =>
        void retryRun(run.runId).then((runId) => {
          if (runId) navigate({ screen: 'run', runId });
        })
      }
    >
      {starting ? 'Starting…' : passed ? 'Run again' : 'Retry'}
    </button>
  );
  const report = (
    <a
      className={`button${passed ? ' button-primary' : ''}${running ? ' is-disabled' : ''}`}
      data-testid="run-report"
      href={`#/runs/${run.runId}/report`}
      aria-disabled={running || undefined}
      onClick={(event) => {
        if (running) event.preventDefault();
      }}
    >
      Open report
    </a>
  );
  return (
    <div className="actions run-actions" data-testid="run-actions" data-primary={passed ? 'report' : 'retry'}>
      {passed ? report : retry}
      {passed && <LabelAction run={run} />}
      {passed ? retry : null}
      <button type="button" className="button-danger" data-testid="run-cancel" disabled={!running || cancelling} onClick={() => void cancelRun(run.runId)}>
        {cancelling ? 'Cancelling…' : 'Cancel'}
      </button>
      {passed ? null : report}
    </div>
  );
}
