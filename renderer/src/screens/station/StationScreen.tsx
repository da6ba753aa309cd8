/** The factory line: start and stop it, the slots, scans, and how the line is doing (KPIs, failures, SPC). */
import type { JSX } from 'react';
import { ScreenTitle } from '../ScreenTitle';
import { KpiTiles, SlotKpiTable } from './Kpis';
import { LineControls } from './LineControls';
import { ParetoChart } from './ParetoChart';
import { ScanPanel } from './ScanPanel';
import { SlotGrid } from './SlotGrid';
import { SpcCharts } from './SpcChart';

export function StationScreen(): JSX.Element {
  return (
    <>
      <ScreenTitle>Station</ScreenTitle>
      <p className="actions">
        <a className="button" href="#/operator" data-testid="open-operator-view">
          Operator view (full screen, for the line’s monitor)
        </a>
      </p>
      <LineControls />
      <div className="station-top">
        <SlotGrid />
        <ScanPanel />
      </div>
      <KpiTiles />
      <ParetoChart />
      <SlotKpiTable />
      <SpcCharts />
    </>
  );
}
