/** The page's two tabs (WAI-ARIA tabs: the selected one marked, its panel labelled by it): overview and console. */
import type { JSX, ReactNode } from 'react';
import type { PageTab } from '../../state/device-page';
import { DeviceConsole } from './console/DeviceConsole';

const TABS: ReadonlyArray<{ tab: PageTab; label: string }> = [
  { tab: 'overview', label: 'Overview' },
  { tab: 'console', label: 'Console' },
];

export function DeviceTabs({ tab, onTab, overview, deviceId }: { tab: PageTab; onTab(tab: PageTab): void; overview: ReactNode; deviceId: string }): JSX.Element {
  return (
    <>
      <div role="tablist" aria-label="Device page" className="tabs">
        {TABS.map((t) => (
          <button
            key={t.tab}
            type="button"
            role="tab"
            id={`device-tab-${t.tab}`}
            aria-selected={tab === t.tab}
            aria-controls={`device-panel-${t.tab}`}
            data-testid={`device-tab-${t.tab}`}
            className={tab === t.tab ? 'tab tab-selected' : 'tab'}
            onClick={() => onTab(t.tab)}
          >
            {t.label}
          </button>
        ))}
      </div>
      <div role="tabpanel" id={`device-panel-${tab}`} aria-labelledby={`device-tab-${tab}`}>
        {/* Mounted only while shown: the console reads the device when it opens, and holds nothing when closed. */}
        {tab === 'overview' ? overview : <DeviceConsole deviceId={deviceId} />}
      </div>
    </>
  );
}
