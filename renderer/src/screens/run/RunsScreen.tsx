/** Runs: those under way in this window, then the station's history (runs:list), filtered and exported as CSV. */
import { memo, type JSX } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { RunSummary } from '../../../../main/contract/api';
import { Badge, OUTCOME_LOOK } from '../../components/Badge';
import { Serial } from '../../components/Serial';
import { formatTime } from '../../components/format';
import { loadHistory, shortId } from '../../effects/runs';
import { useRun, useRuns } from '../../state/runs';
import { isFiltered } from '../../state/runs-filter';
import { ScreenTitle } from '../ScreenTitle';
import { STEP_LABEL } from './labels';
import { RunsFilterBar } from './RunsFilterBar';

const ActiveRun = memo(function ActiveRun({ runId }: { runId: string }): JSX.Element | null {
  const run = useRun(runId);
  if (!run) return null;
  return (
    <li>
      <a href={`#/runs/${runId}`} data-testid={`run-link-${runId}`}>
        Run {shortId(runId)}
      </a>{' '}
      {run.profile ? `${run.profile.name} ${run.profile.version}` : ''} — {run.currentStep ? STEP_LABEL[run.currentStep] : 'starting'}
    </li>
  );
});

function HistoryRow({ run }: { run: RunSummary }): JSX.Element {
  return (
    <tr>
      <th scope="row">
        <a href={`#/runs/${run.id}`} data-testid={`run-link-${run.id}`}>
          {shortId(run.id)}
        </a>
      </th>
      <td>
        {run.serial ? <Serial value={run.serial} /> : '—'}
      </td>
      <td>
        {run.profile} {run.profileVersion}
      </td>
      <td>{formatTime(run.startedAt)}</td>
      <td>
        <Badge look={OUTCOME_LOOK[run.outcome]} />
        {run.errorCode ? <span className="error-code"> {run.errorCode}</span> : null}
      </td>
    </tr>
  );
}

export function RunsScreen(): JSX.Element {
  // The ids of running runs, compared item by item: progress events do not re-render this list.
  const running = useRuns(useShallow((s) => Object.values(s.byId).filter((r) => r.outcome === 'running').map((r) => r.runId)));
  const history = useRuns((s) => s.history);
  const loaded = useRuns((s) => s.historyLoaded);
  const filtered = useRuns((s) => isFiltered(s.historyFilter));
  return (
    <>
      <ScreenTitle>Runs</ScreenTitle>
      <section className="panel" aria-labelledby="active-title">
        <h2 id="active-title">Under way ({running.length})</h2>
        {running.length === 0 ? (
          <p className="empty">No run under way.</p>
        ) : (
          <ul className="plain-list">
            {running.map((id) => (
              <ActiveRun key={id} runId={id} />
            ))}
          </ul>
        )}
      </section>
      <section className="panel" aria-labelledby="history-title">
        <div className="panel-head">
          <h2 id="history-title">History</h2>
          <button type="button" onClick={() => void loadHistory()}>
            Refresh
          </button>
        </div>
        <RunsFilterBar />
        {!loaded ? (
          <p className="empty">Loading…</p>
        ) : history.length === 0 ? (
          <p className="empty">{filtered ? 'No run matches the filter.' : 'No runs recorded yet.'}</p>
        ) : (
          <div className="table-wrap">
            <table className="table" data-testid="run-history">
              <thead>
                <tr>
                  <th scope="col">Run</th>
                  <th scope="col">Serial</th>
                  <th scope="col">Profile</th>
                  <th scope="col">Started</th>
                  <th scope="col">Outcome</th>
                </tr>
              </thead>
              <tbody>
                {history.map((r) => (
                  <HistoryRow key={r.id} run={r} />
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </>
  );
}
