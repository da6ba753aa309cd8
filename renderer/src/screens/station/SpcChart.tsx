/**
 * Statistical process control: an individuals chart per numeric diagnostic, as SVG — each unit's measurement in
 * production order, the mean, and the control limits (UCL/LCL, mean ± 3σ̂ by moving range). Marked by shape, not
 * colour alone: an outlier (inside the profile's limits, outside the control limits) is a large diamond, a unit that
 * failed its limits a cross; a run of 7 or more on one side of the mean (a shift) is shaded.
 */
import { memo, useId, type JSX } from 'react';
import type { SpcChartInfo } from '../../../../main/contract/api';
import { useLine } from '../../state/line';
import { formatMeasure } from './format';

const W = 640;
const H = 240;
const M = { left: 92, right: 76, top: 14, bottom: 26 };

export function chartScale(chart: SpcChartInfo): { x(i: number): number; y(v: number): number } {
  const values = [...chart.points.map((p) => p.value), chart.mean, ...(chart.ucl !== undefined ? [chart.ucl] : []), ...(chart.lcl !== undefined ? [chart.lcl] : [])];
  let lo = Math.min(...values);
  let hi = Math.max(...values);
  if (!(hi > lo)) {
    lo -= 1;
    hi += 1;
  }
  const pad = (hi - lo) * 0.08;
  lo -= pad;
  hi += pad;
  const innerW = W - M.left - M.right;
  const innerH = H - M.top - M.bottom;
  const n = chart.points.length;
  return {
    x: (i) => M.left + (n <= 1 ? innerW / 2 : (i / (n - 1)) * innerW),
    y: (v) => M.top + ((hi - v) / (hi - lo)) * innerH,
  };
}

function Limit({ y, label, value, unit, kind }: { y: number; label: string; value: number; unit?: string; kind: 'mean' | 'limit' }): JSX.Element {
  return (
    <g className={`spc-line spc-${kind}`}>
      <line x1={M.left} x2={W - M.right} y1={y} y2={y} strokeDasharray={kind === 'limit' ? '8 5' : undefined} />
      <text className="chart-label" x={W - M.right + 6} y={y + 5}>
        {label}
      </text>
      <text className="chart-axis" x={M.left - 6} y={y + 5} textAnchor="end">
        {formatMeasure(value, unit)}
      </text>
    </g>
  );
}

const Chart = memo(function Chart({ chart }: { chart: SpcChartInfo }): JSX.Element {
  const id = useId();
  const { x, y } = chartScale(chart);
  const varies = chart.ucl !== undefined && chart.lcl !== undefined && chart.ucl > chart.lcl;
  const outliers = chart.points.filter((p) => p.outlier);
  const failed = chart.points.filter((p) => !p.passed);
  const title = `${chart.name}${chart.unit ? ` (${chart.unit})` : ''}: ${chart.n} units, mean ${formatMeasure(chart.mean)}${
    chart.ucl !== undefined && chart.lcl !== undefined ? `, control limits ${formatMeasure(chart.lcl)} to ${formatMeasure(chart.ucl)}` : ', too few units for control limits'
  }`;
  const desc = [
    outliers.length === 0 ? 'No outliers.' : `${chart.outliers} outlier${chart.outliers === 1 ? '' : 's'} inside the profile limits but outside the control limits: ${outliers.map((p) => `${p.serial} ${formatMeasure(p.value, chart.unit)}`).join(', ')}.`,
    failed.length === 0 ? '' : `${failed.length} unit${failed.length === 1 ? '' : 's'} failed the profile limits.`,
    chart.shifts.length === 0 ? '' : `${chart.shifts.length} shift${chart.shifts.length === 1 ? '' : 's'}: 7 or more units in a row on one side of the mean.`,
    chart.omitted > 0 ? `The oldest ${chart.omitted} units are not drawn.` : '',
  ]
    .filter(Boolean)
    .join(' ');
  return (
    <figure className="spc" data-testid="spc-chart" data-name={chart.name} data-n={chart.n} data-outliers={chart.outliers}>
      <svg className="chart" viewBox={`0 0 ${W} ${H}`} role="img" aria-labelledby={`${id}-title ${id}-desc`}>
        <title id={`${id}-title`}>{title}</title>
        <desc id={`${id}-desc`}>{desc}</desc>
        <rect className="chart-frame" x={M.left} y={M.top} width={W - M.left - M.right} height={H - M.top - M.bottom} />
        {chart.shifts.map((s) => (
          <rect key={`${s.from}-${s.to}`} className="spc-shift" data-testid="spc-shift" x={x(s.from) - 6} y={M.top} width={x(s.to) - x(s.from) + 12} height={H - M.top - M.bottom} />
        ))}
        {/* No variation (every unit the same): the limits sit on the mean and would only hide its label. */}
        {varies && chart.ucl !== undefined && <Limit y={y(chart.ucl)} label="UCL" value={chart.ucl} unit={chart.unit} kind="limit" />}
        <Limit y={y(chart.mean)} label="Mean" value={chart.mean} unit={chart.unit} kind="mean" />
        {varies && chart.lcl !== undefined && <Limit y={y(chart.lcl)} label="LCL" value={chart.lcl} unit={chart.unit} kind="limit" />}
        <polyline className="spc-trace" points={chart.points.map((p, i) => `${x(i)},${y(p.value)}`).join(' ')} />
        {chart.points.map((p, i) => {
          const cx = x(i);
          const cy = y(p.value);
          const what = p.outlier ? 'OUTLIER' : p.passed ? 'in limits' : 'FAILED its limits';
          return (
            <g key={p.run} data-testid="spc-point" data-outlier={String(p.outlier)} data-passed={String(p.passed)} className={p.outlier ? 'spc-point is-outlier' : p.passed ? 'spc-point' : 'spc-point is-failed'}>
              <title>{`${p.serial}: ${formatMeasure(p.value, chart.unit)} — ${what}`}</title>
              {p.outlier ? (
                <>
                  <polygon points={`${cx},${cy - 9} ${cx + 9},${cy} ${cx},${cy + 9} ${cx - 9},${cy}`} />
                  <circle className="spc-ring" cx={cx} cy={cy} r={13} />
                </>
              ) : p.passed ? (
                <circle cx={cx} cy={cy} r={4.5} />
              ) : (
                <path d={`M${cx - 6},${cy - 6}L${cx + 6},${cy + 6}M${cx + 6},${cy - 6}L${cx - 6},${cy + 6}`} />
              )}
            </g>
          );
        })}
      </svg>
      <figcaption>
        <strong>{chart.name}</strong>
        {chart.unit ? ` (${chart.unit})` : ''} · {chart.n} units · mean {formatMeasure(chart.mean, chart.unit)}
        {varies ? ` · LCL ${formatMeasure(chart.lcl, chart.unit)} · UCL ${formatMeasure(chart.ucl, chart.unit)}` : chart.ucl !== undefined ? ' · no variation' : ''}
        {chart.outliers > 0 && (
          <span className="tone-bad">
            {' '}
            · <span aria-hidden="true">◆ </span>
            {chart.outliers} outlier{chart.outliers === 1 ? '' : 's'}
          </span>
        )}
      </figcaption>
    </figure>
  );
});

const NONE: readonly SpcChartInfo[] = [];

export function SpcCharts(): JSX.Element {
  const charts = useLine((s) => s.kpis?.spc ?? NONE);
  return (
    <section className="panel" aria-labelledby="spc-title">
      <h2 id="spc-title">Process control (diagnostic measurements)</h2>
      {charts.length === 0 ? (
        <p className="empty" data-testid="spc-empty">
          No measurements yet in this session.
        </p>
      ) : (
        <div className="spc-grid">
          {charts.map((c) => (
            <Chart key={c.name} chart={c} />
          ))}
        </div>
      )}
      <p className="field-help">◆ outlier: passed its profile limits but lies outside the control limits — check it before the lot ships. ✕ failed its limits. Shaded: 7 or more in a row on one side of the mean.</p>
    </section>
  );
}
