/** One run, live: outcome, actions, step timeline, rollback, diagnostics and the log. */
import type { JSX } from 'react';
import { formatTime } from '../../components/format';
import { Serial } from '../../components/Serial';
import { shortId } from '../../effects/runs';
import { useDevice } from '../../state/devices';
import { useRun, useRuns } from '../../state/runs';
import { ScreenTitle } from '../ScreenTitle';
import { CertificateRevoked } from './CertificateRevoked';
import { DiagnosticsTable } from './DiagnosticsTable';
import { OutcomeBanner } from './OutcomeBanner';
import { Rollback } from './Rollback';
import { RunActions } from './RunActions';
import { RunLog } from './RunLog';
import { StepTimeline } from './StepTimeline';

export function RunScreen({ runId }: { runId: string }): JSX.Element {
  const run = useRun(runId);
  const record = useRuns((s) => s.records[runId]);
  const certificate = useRuns((s) => s.certificates[runId]);
  const device = useDevice(run?.deviceId ?? '');
  if (!run) {
    return (
      <>
        <ScreenTitle>Run {shortId(runId)}</ScreenTitle>
        <p className="empty">Loading the run…</p>
      </>
    );
  }
  const serial = device?.serial ?? record?.device.serial ?? '';
  // A BLE gateway's address reads as a MAC address; say which radio it is.
  const port = device ? (device.transport === 'ble' ? `Bluetooth LE ${device.path}` : device.path) : (record?.device.port ?? '');
  return (
    <>
      <ScreenTitle>Run {shortId(runId)}</ScreenTitle>
      <dl className="facts" data-testid="run-facts">
        <dt>Device</dt>
        <dd>
          {serial ? <Serial value={serial} /> : null}
          {serial && port ? ' · ' : null}
          {port ? <Serial value={port} /> : null}
          {!serial && !port ? '—' : null}
        </dd>
        <dt>Profile</dt>
        <dd>{run.profile ? `${run.profile.name} ${run.profile.version}` : '—'}</dd>
        <dt>Started</dt>
        <dd>{formatTime(run.startedAt)}</dd>
      </dl>
      <OutcomeBanner run={run} record={record} />
      <CertificateRevoked record={record} status={certificate} />
      <RunActions run={run} />
      <StepTimeline run={run} />
      {record?.rollback && <Rollback rollback={record.rollback} />}
      <DiagnosticsTable diagnostics={run.diagnostics} />
      <RunLog runId={runId} />
    </>
  );
}
