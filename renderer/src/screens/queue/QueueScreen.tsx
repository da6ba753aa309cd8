/**
 * Queue & sync: what waits for the registry (how many, and which runs), whether it answers, and the two things a
 * technician can do about it.
 */
import { useEffect, type JSX, type ReactNode } from 'react';
import { formatTime } from '../../components/format';
import { exportBundle, loadWaiting, syncNow } from '../../effects/queue';
import { useQueue } from '../../state/queue';
import { ScreenTitle } from '../ScreenTitle';
import { WaitingList } from './WaitingList';

function Count({ label, value, testId, help }: { label: string; value: number | undefined; testId: string; help: string }): JSX.Element {
  return (
    <div className="count">
      <span className="count-value" data-testid={testId}>
        {value ?? '—'}
      </span>
      <span className="count-label">{label}</span>
      <span className="field-help">{help}</span>
    </div>
  );
}

function Fact({ label, children, testId }: { label: string; children: ReactNode; testId?: string }): JSX.Element {
  return (
    <>
      <dt>{label}</dt>
      <dd data-testid={testId}>{children}</dd>
    </>
  );
}

export function QueueScreen(): JSX.Element {
  const status = useQueue((s) => s.status);
  const syncing = useQueue((s) => s.syncing);
  const exporting = useQueue((s) => s.exporting);
  const lastExport = useQueue((s) => s.lastExport);
  // Every change of the queue (a run queued, a batch sent, a refusal) comes as a new status: the list is read again.
  useEffect(() => {
    void loadWaiting();
  }, [status]);
  return (
    <>
      <ScreenTitle>Queue & sync</ScreenTitle>
      <section className="panel" aria-labelledby="counts-title">
        <h2 id="counts-title">Records waiting for the registry</h2>
        <div className="counts">
          <Count label="Pending" value={status?.pending} testId="queue-pending" help="finished runs not sent yet" />
          <Count label="In flight" value={status?.inFlight} testId="queue-inflight" help="being sent now" />
          <Count label="Dead letter" value={status?.deadLetter} testId="queue-dead" help="refused by the registry: need a look" />
          <Count label="Exported" value={status?.exported} testId="queue-exported" help="in a bundle, not yet seen by the registry" />
        </div>
      </section>
      <WaitingList />
      <section className="panel" aria-labelledby="sync-title">
        <h2 id="sync-title">Registry</h2>
        <dl className="facts">
          <Fact label="State" testId="queue-online">
            {!status ? (
              '—'
            ) : !status.registryConfigured ? (
              <>
                <span aria-hidden="true">○ </span>Not connected to a registry — set it up in <a href="#/settings">Settings</a>
              </>
            ) : status.online ? (
              <>
                <span aria-hidden="true">● </span>Online
              </>
            ) : (
              <>
                <span aria-hidden="true">○ </span>Offline — records stay queued and are sent when it is back
              </>
            )}
          </Fact>
          <Fact label="Last sync" testId="queue-last-sync">
            {formatTime(status?.lastSuccessAt)}
          </Fact>
          <Fact label="Last error" testId="queue-last-error">
            {status?.lastError ? (
              <>
                <span aria-hidden="true">⚠ </span>
                {status.lastError}
              </>
            ) : (
              'none'
            )}
          </Fact>
          {status?.nextAttemptAt && <Fact label="Next attempt">{formatTime(status.nextAttemptAt)}</Fact>}
        </dl>
        <div className="actions">
          <button type="button" className="button-primary" data-testid="queue-sync-now" disabled={syncing || !status?.registryConfigured} onClick={() => void syncNow()}>
            {syncing ? 'Syncing…' : 'Sync now'}
          </button>
          <button type="button" data-testid="queue-export" disabled={exporting} onClick={() => void exportBundle()}>
            {exporting ? 'Exporting…' : 'Export bundle'}
          </button>
        </div>
        {lastExport && (
          <p role="status" data-testid="queue-export-result">
            {lastExport.file ? (
              <>
                <span aria-hidden="true">✔ </span>
                {lastExport.count} record{lastExport.count === 1 ? '' : 's'} exported to <code>{lastExport.file}</code>
                {lastExport.remaining > 0 ? ` — ${lastExport.remaining} more did not fit: export again.` : '.'} Carry the file to a station with a network.
              </>
            ) : (
              'Nothing was pending: no bundle written.'
            )}
          </p>
        )}
      </section>
    </>
  );
}
