/**
 * The Runs screen's filter bar: serial (its first characters), outcome, profile, a range of days; Apply lists the
 * runs that match (newest first, at most HISTORY_LIMIT), Export CSV saves the ones listed.
 */
import { useState, type JSX } from 'react';
import type { RunOutcome } from '../../../../main/contract/api';
import { exportHistoryCsv, filterHistory } from '../../effects/runs';
import { useRuns } from '../../state/runs';
import { HISTORY_LIMIT, isFiltered, NO_FILTER, type HistoryFilter } from '../../state/runs-filter';

const OUTCOMES: ReadonlyArray<[RunOutcome, string]> = [
  ['passed', 'Passed'],
  ['failed', 'Failed'],
  ['cancelled', 'Cancelled'],
  ['interrupted', 'Interrupted'],
  ['running', 'Running'],
];

export function RunsFilterBar(): JSX.Element {
  const applied = useRuns((s) => s.historyFilter);
  const count = useRuns((s) => s.history.length);
  const [form, setForm] = useState<HistoryFilter>(applied);
  const [exported, setExported] = useState<number | undefined>(undefined);
  const edit = (patch: Partial<HistoryFilter>): void => setForm((f) => ({ ...f, ...patch }));
  const badRange = form.fromDay !== '' && form.toDay !== '' && form.toDay < form.fromDay;
  return (
    <form
      className="filter-bar"
      aria-label="Filter the runs"
      data-testid="runs-filter"
      onSubmit={(event) => {
        event.preventDefault();
        if (badRange) return;
        setExported(undefined);
        void filterHistory(form);
      }}
    >
      <div className="field">
        <label htmlFor="runs-filter-serial">Serial starts with</label>
        <input id="runs-filter-serial" data-testid="runs-filter-serial" type="text" value={form.serial} maxLength={200} spellCheck={false} autoComplete="off" onChange={(e) => edit({ serial: e.target.value })} />
      </div>
      <div className="field">
        <label htmlFor="runs-filter-outcome">Outcome</label>
        <select id="runs-filter-outcome" data-testid="runs-filter-outcome" value={form.outcome} onChange={(e) => edit({ outcome: e.target.value as HistoryFilter['outcome'] })}>
          <option value="">Any</option>
          {OUTCOMES.map(([value, label]) => (
            <option key={value} value={value}>
              {label}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor="runs-filter-profile">Profile</label>
        <input id="runs-filter-profile" data-testid="runs-filter-profile" type="text" value={form.profile} maxLength={200} spellCheck={false} autoComplete="off" placeholder="its name" onChange={(e) => edit({ profile: e.target.value })} />
      </div>
      <div className="field">
        <label htmlFor="runs-filter-from">From</label>
        <input id="runs-filter-from" data-testid="runs-filter-from" type="date" value={form.fromDay} onChange={(e) => edit({ fromDay: e.target.value })} />
      </div>
      <div className="field">
        <label htmlFor="runs-filter-to">To</label>
        <input
          id="runs-filter-to"
          data-testid="runs-filter-to"
          type="date"
          value={form.toDay}
          aria-invalid={badRange || undefined}
          aria-describedby={badRange ? 'runs-filter-range' : undefined}
          onChange={(e) => edit({ toDay: e.target.value })}
        />
      </div>
      <div className="actions">
        <button type="submit" className="button-primary" data-testid="runs-filter-apply" disabled={badRange}>
          Apply
        </button>
        <button
          type="button"
          data-testid="runs-filter-clear"
          disabled={!isFiltered(form) && !isFiltered(applied)}
          onClick={() => {
            setForm(NO_FILTER);
            setExported(undefined);
            void filterHistory(NO_FILTER);
          }}
        >
          Clear
        </button>
        <button type="button" data-testid="runs-export-csv" disabled={count === 0} onClick={() => setExported(exportHistoryCsv())}>
          Export CSV
        </button>
      </div>
      {badRange && (
        <p id="runs-filter-range" className="form-error" role="alert">
          The range ends before it starts.
        </p>
      )}
      <p className="field-help filter-summary" role="status" data-testid="runs-filter-summary">
        {isFiltered(applied) ? `${count} run${count === 1 ? '' : 's'} match` : `${count} run${count === 1 ? '' : 's'}`}
        {count >= HISTORY_LIMIT ? ` — the newest ${HISTORY_LIMIT} are listed and exported; narrow the filter for older ones` : ''}
        {exported !== undefined ? ` · ${exported} exported as CSV` : ''}
      </p>
    </form>
  );
}
