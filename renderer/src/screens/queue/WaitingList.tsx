/**
 * Which runs wait for the registry: serial, run, outcome, where each stands (pending, being sent, refused, in a
 * bundle), when it was queued, the attempts and the last error. Oldest first, at most QUEUE_LIST_SHOWN rows; the
 * counts above say how many there are in all.
 */
import type { JSX } from 'react';
import type { QueueEntry } from '../../../../main/contract/queue';
import { Badge, OUTCOME_LOOK } from '../../components/Badge';
import { Serial } from '../../components/Serial';
import { formatTime } from '../../components/format';
import { shortId } from '../../effects/runs';
import { useQueue } from '../../state/queue';

const STATE_WORDS: Record<QueueEntry['state'], string> = {
  pending: 'waiting',
  'in-flight': 'being sent',
  dead: 'refused by the registry',
  exported: 'in a bundle',
};

function Row({ entry }: { entry: QueueEntry }): JSX.Element {
  const problem = entry.deadReason ?? entry.lastError;
  return (
    <tr data-testid="queue-entry" data-run={entry.runId} data-state={entry.state}>
      <td>
        <Serial value={entry.serial} />
      </td>
      <th scope="row">
        <a href={`#/runs/${entry.runId}`} title={entry.runId}>
          {shortId(entry.runId)}
        </a>
      </th>
      <td>
        <Badge look={OUTCOME_LOOK[entry.outcome]} />
      </td>
      <td>{STATE_WORDS[entry.state]}</td>
      <td>{formatTime(entry.enqueuedAt)}</td>
      <td className="figure">{entry.attempts}</td>
      <td className="queue-error">{problem ?? '—'}</td>
    </tr>
  );
}

export function WaitingList(): JSX.Element {
  const waiting = useQueue((s) => s.waiting);
  const shown = waiting?.entries.length ?? 0;
  return (
    <section className="panel" aria-labelledby="waiting-title">
      <h2 id="waiting-title">Runs not yet in the registry</h2>
      {!waiting ? (
        <p className="empty">Loading…</p>
      ) : shown === 0 ? (
        <p className="empty" data-testid="queue-entries-empty">
          None: every finished run is in the registry.
        </p>
      ) : (
        <div className="table-wrap">
          <table className="table" data-testid="queue-entries">
            <caption>
              {waiting.total > shown ? `The oldest ${shown} of ${waiting.total}` : `${waiting.total} run${waiting.total === 1 ? '' : 's'}`}, oldest first
            </caption>
            <thead>
              <tr>
                <th scope="col">Serial</th>
                <th scope="col">Run</th>
                <th scope="col">Outcome</th>
                <th scope="col">Queue</th>
                <th scope="col">Queued</th>
                <th scope="col">Attempts</th>
                <th scope="col">Last error</th>
              </tr>
            </thead>
            <tbody>
              {waiting.entries.map((entry) => (
                <Row key={entry.runId} entry={entry} />
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
