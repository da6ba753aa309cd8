/**
 * `fieldline line kpis|spc` as a person reads them: the line's figures, the failure Pareto as a table with bars,
 * one row per slot and per station, and per diagnostic check its mean, control limits and the units it flags.
 */
import type { Kpis, LineKpis } from '../station/kpi';
import { D2, RUN_LENGTH, type SpcChart } from '../station/spc';
import { table as formatTable } from './runs-text';

const pct = (v: number | undefined): string => (v === undefined ? '—' : `${(v * 100).toFixed(1)} %`);
const seconds = (ms: number | undefined): string => (ms === undefined ? '—' : `${(ms / 1000).toFixed(1)} s`);
const num = (v: number | undefined, digits = 1): string => (v === undefined ? '—' : v.toFixed(digits));

/** Fixed-width columns, indented: the first left-aligned, the figures right-aligned. */
const table = (head: string[], rows: string[][]): string[] => formatTable(head, rows, '  ', 1).split('\n');

function headline(k: Kpis): string[] {
  const window = k.windowStart && k.windowEnd ? `${k.windowStart} → ${k.windowEnd} (${k.windowHours.toFixed(2)} h)` : 'no finished runs';
  return [
    `${k.units} runs (${k.passed} passed, ${k.failed} not), ${k.devices} devices — ${window}`,
    `  units/hour ${num(k.unitsPerHour)}   first-pass yield ${pct(k.firstPassYield)}   final yield ${pct(k.finalYield)}   run yield ${pct(k.runYield)}`,
    `  cycle time mean ${seconds(k.cycleTimeMeanMs)}   p95 ${seconds(k.cycleTimeP95Ms)}`,
    `  first-pass runs ${k.firstPassUnits}   rework runs ${k.rework.units} (${k.rework.passed} passed, ${k.rework.failed} not; yield ${pct(k.rework.yield)})`,
  ];
}

function groupTable(title: string, groups: Record<string, Kpis>): string[] {
  const keys = Object.keys(groups);
  if (keys.length === 0) return [];
  const rows = keys.map((key) => {
    const k = groups[key]!;
    return [key, String(k.units), String(k.passed), pct(k.firstPassYield), num(k.unitsPerHour), seconds(k.cycleTimeMeanMs), seconds(k.cycleTimeP95Ms), k.failuresByStep[0]?.step ?? ''];
  });
  return ['', title, ...table(['', 'units', 'passed', 'FPY', 'units/h', 'cycle mean', 'p95', 'top failure'], rows)];
}

export function kpisText(k: LineKpis, scope: string, slotBy: string): string {
  const lines = [`Line KPIs${scope}`, ...headline(k.overall)];
  const pareto = k.overall.failuresByStep;
  if (pareto.length > 0) {
    const rows = pareto.map((p) => [p.step, String(p.count), pct(p.share), pct(p.cumulativeShare), '█'.repeat(Math.max(1, Math.round(p.share * 20)))]);
    lines.push('', 'Failures by step (Pareto)', ...table(['step', 'count', 'share', 'cumulative', ''], rows));
  } else if (k.overall.units > 0) {
    lines.push('', 'Failures by step: none');
  }
  lines.push(...groupTable(`Per slot (by ${slotBy})`, k.bySlot), ...groupTable('Per station', k.byStation));
  return lines.join('\n');
}

export function spcText(charts: SpcChart[], runs: number, scope: string): string {
  const lines = [`SPC over ${runs} runs${scope}: individuals chart per check, σ̂ = mean moving range ÷ ${D2}, limits mean ± 3σ̂`];
  if (charts.length === 0) return [...lines, '  no numeric diagnostic measurements'].join('\n');
  const rows = charts.map((c) => [
    c.unit ? `${c.name} (${c.unit})` : c.name,
    String(c.n),
    num(c.mean, 3),
    num(c.sigma, 3),
    num(c.lcl, 3),
    num(c.ucl, 3),
    String(c.outliers.length),
    String(c.shifts.length),
  ]);
  lines.push(...table(['check', 'n', 'mean', 'σ̂', 'LCL', 'UCL', 'outliers', 'shifts'], rows));
  for (const c of charts) {
    if (c.n < 2) lines.push(`  ${c.name}: one measurement, no limits yet`);
    for (const o of c.outliers) {
      const side = c.ucl !== undefined && o.value > c.ucl ? `above UCL ${num(c.ucl, 3)}` : `below LCL ${num(c.lcl, 3)}`;
      lines.push(`  ! ${c.name}: ${o.serial || '?'} = ${o.value}${c.unit ? ` ${c.unit}` : ''} (run ${o.run.slice(0, 8)}, ${o.at}) passed its limits but is ${side}`);
    }
    for (const s of c.shifts) {
      const first = c.points[s.from]!;
      const last = c.points[s.to]!;
      lines.push(`  ! ${c.name}: ${s.to - s.from + 1} units in a row ${s.side} the mean (≥ ${RUN_LENGTH}), ${first.serial || '?'} … ${last.serial || '?'} (${first.at} → ${last.at})`);
    }
  }
  return lines.join('\n');
}
