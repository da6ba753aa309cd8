/** The line's figures: tiles for the session, today's totals, and the per-slot table. */
import type { JSX } from 'react';
import type { KpiInfo } from '../../../../main/contract/api';
import { formatTime } from '../../components/format';
import { useLine } from '../../state/line';
import { formatMs, formatPerHour, formatShare, slotName } from './format';

function Tile({ label, value, help, testId, tone }: { label: string; value: string; help: string; testId: string; tone?: string }): JSX.Element {
  return (
    <div className={`count kpi${tone ? ` tone-${tone}` : ''}`}>
      <span className="count-value" data-testid={testId}>
        {value}
      </span>
      <span className="count-label">{label}</span>
      <span className="field-help">{help}</span>
    </div>
  );
}

export function KpiTiles(): JSX.Element {
  const session = useLine((s) => s.kpis?.session);
  const today = useLine((s) => s.kpis?.today);
  const at = useLine((s) => s.kpis?.at);
  return (
    <section className="panel" aria-labelledby="kpi-title">
      <h2 id="kpi-title">This line session</h2>
      <div className="counts" data-testid="kpi-tiles">
        <Tile label="Units / hour" value={formatPerHour(session?.unitsPerHour)} help="finished runs per hour of the session, from 5 units or 5 minutes on" testId="kpi-units-per-hour" />
        <Tile label="First-pass yield" value={formatShare(session?.firstPassYield)} help="gateways whose first run passed (rework runs apart)" testId="kpi-fpy" />
        <Tile
          label="Rework"
          value={session?.rework?.units ? `${session.rework.passed} / ${session.rework.units}` : '0'}
          help="runs of gateways that had passed before: passed / runs"
          testId="kpi-rework"
          tone={session?.rework?.failed ? 'bad' : undefined}
        />
        <Tile label="Passed" value={String(session?.passed ?? 0)} help="runs" testId="kpi-passed" tone="ok" />
        <Tile label="Failed" value={String(session?.failed ?? 0)} help="runs (cancelled and interrupted too)" testId="kpi-failed" tone={session?.failed ? 'bad' : undefined} />
        <Tile label="Cycle time" value={formatMs(session?.cycleTimeMeanMs)} help="mean, plug-in run start to end" testId="kpi-cycle-mean" />
        <Tile label="Cycle time p95" value={formatMs(session?.cycleTimeP95Ms)} help="95 % of runs took at most this" testId="kpi-cycle-p95" />
      </div>
      <p className="muted" data-testid="kpi-today">
        Today at this station: {today?.units ?? 0} runs, {today?.passed ?? 0} passed, first-pass yield {formatShare(today?.firstPassYield)}
        {at ? ` · updated ${formatTime(at)}` : ''}
      </p>
    </section>
  );
}

function SlotRow({ port, k }: { port: string; k: KpiInfo }): JSX.Element {
  return (
    <tr data-testid="slot-kpi-row" data-port={port}>
      <th scope="row" title={port}>
        {slotName(port)}
      </th>
      <td>{k.units}</td>
      <td>{k.passed}</td>
      <td>{k.failed}</td>
      <td>{formatShare(k.firstPassYield)}</td>
      <td>{formatMs(k.cycleTimeMeanMs)}</td>
      <td>{formatMs(k.cycleTimeP95Ms)}</td>
    </tr>
  );
}

export function SlotKpiTable(): JSX.Element | null {
  const bySlot = useLine((s) => s.kpis?.bySlot);
  const entries = Object.entries(bySlot ?? {});
  if (entries.length === 0) return null;
  return (
    <section className="panel" aria-labelledby="slot-kpi-title">
      <h2 id="slot-kpi-title">Per slot</h2>
      <div className="table-wrap">
        <table className="table" data-testid="slot-kpi-table">
          <thead>
            <tr>
              <th scope="col">Slot</th>
              <th scope="col">Runs</th>
              <th scope="col">Passed</th>
              <th scope="col">Failed</th>
              <th scope="col">First-pass yield</th>
              <th scope="col">Cycle mean</th>
              <th scope="col">Cycle p95</th>
            </tr>
          </thead>
          <tbody>
            {entries.map(([port, k]) => (
              <SlotRow key={port} port={port} k={k} />
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
