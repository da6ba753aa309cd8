/**
 * Failures by step, most frequent first (a Pareto chart), as SVG: one bar per step with its count and the
 * cumulative share. Titled and described for screen readers; no inline styles (the CSP allows none).
 */
import { useId, type JSX } from 'react';
import type { KpiInfo } from '../../../../main/contract/api';
import { useLine } from '../../state/line';

const WIDTH = 640;
const ROW = 34;
const LABEL = 150;
const BAR = 380;

type Entry = KpiInfo['failuresByStep'][number];

const NONE: readonly Entry[] = [];

export function ParetoChart(): JSX.Element {
  const failures = useLine((s) => s.kpis?.session.failuresByStep ?? NONE);
  const id = useId();
  const max = Math.max(1, ...failures.map((f) => f.count));
  const height = Math.max(1, failures.length) * ROW + 8;
  const summary = failures.map((f) => `${f.step}: ${f.count} (${Math.round(f.cumulativeShare * 100)} % cumulative)`).join('; ');
  return (
    <section className="panel" aria-labelledby={`${id}-h`}>
      <h2 id={`${id}-h`}>Failures by step</h2>
      {failures.length === 0 ? (
        <p className="empty" data-testid="pareto-empty">
          No failed runs in this session.
        </p>
      ) : (
        <svg className="chart pareto" data-testid="pareto-chart" viewBox={`0 0 ${WIDTH} ${height}`} role="img" aria-labelledby={`${id}-title ${id}-desc`}>
          <title id={`${id}-title`}>Failures by step, most frequent first</title>
          <desc id={`${id}-desc`}>{summary}</desc>
          {failures.map((f, i) => {
            const y = 4 + i * ROW;
            const w = Math.max(2, (f.count / max) * BAR);
            return (
              <g key={f.step} data-testid="pareto-bar" data-step={f.step} data-count={f.count}>
                <title>{`${f.step}: ${f.count} failed run${f.count === 1 ? '' : 's'}, ${Math.round(f.share * 100)} % of failures`}</title>
                <text className="chart-label" x={LABEL - 8} y={y + ROW / 2 + 5} textAnchor="end">
                  {f.step}
                </text>
                <rect className="pareto-bar" x={LABEL} y={y + 4} width={w} height={ROW - 10} />
                <text className="chart-value" x={LABEL + w + 8} y={y + ROW / 2 + 5}>
                  {`${f.count} · ${Math.round(f.cumulativeShare * 100)} %`}
                </text>
              </g>
            );
          })}
        </svg>
      )}
    </section>
  );
}
