/**
 * The device's history, newest first: provisioning runs and service records, each marked by where it was found —
 * this station's store or the service kit pulled from the registry. Store entries open their report.
 */
import type { JSX } from 'react';
import type { ServiceHistoryEntry } from '../../../../main/contract/service';
import { Badge, OUTCOME_LOOK } from '../../components/Badge';
import { formatTime } from '../../components/format';
import { shortId } from '../../effects/runs';
import { historyTitle, SOURCE_LOOK } from './format';

function Entry({ entry, basis }: { entry: ServiceHistoryEntry; basis: boolean }): JSX.Element {
  const look = OUTCOME_LOOK[entry.outcome] ?? OUTCOME_LOOK['running']!;
  return (
    <li
      className={`timeline-entry${entry.service ? ' timeline-service' : ''}`}
      data-testid="timeline-entry"
      data-run-id={entry.runId}
      data-source={entry.source}
      data-kind={entry.service ? 'service' : 'run'}
      data-action={entry.service?.action ?? ''}
      data-outcome={entry.outcome}
    >
      <span className="timeline-when">{formatTime(entry.startedAt)}</span>
      <span className="timeline-what">
        <strong>{historyTitle(entry)}</strong>
        {basis && <span className="muted"> · the golden configuration comes from this run</span>}
        <span className="muted">
          {' '}
          · {entry.station}
          {entry.firmware ? ` · firmware ${entry.firmware}` : ''}
        </span>
      </span>
      <Badge look={look} />
      <Badge look={SOURCE_LOOK[entry.source]} testId="timeline-source" />
      {entry.source === 'store' ? (
        <a href={`#/runs/${entry.runId}/report`} data-testid="timeline-report">
          Report
        </a>
      ) : (
        <span className="muted mono">{shortId(entry.runId)}</span>
      )}
    </li>
  );
}

export function TimelinePanel({ history, basisRunId }: { history: readonly ServiceHistoryEntry[]; basisRunId: string | undefined }): JSX.Element {
  return (
    <section className="panel" aria-labelledby="device-timeline-title">
      <h2 id="device-timeline-title">History</h2>
      {history.length === 0 ? (
        <p className="empty" data-testid="timeline-empty">
          No run of this device here or in the service kit.
        </p>
      ) : (
        <ol className="timeline" data-testid="device-timeline">
          {history.map((entry) => (
            <Entry key={entry.runId} entry={entry} basis={entry.runId === basisRunId} />
          ))}
        </ol>
      )}
    </section>
  );
}
