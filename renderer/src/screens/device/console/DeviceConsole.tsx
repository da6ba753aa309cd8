/**
 * The device console (issue #16, part 4): one gateway looked at by hand — OS info and MCUmgr params, image slots,
 * files, settings, the shell, statistics. Mounted by the device page as its Console tab: `<DeviceConsole deviceId=… />`.
 *
 * Panels stay mounted while another is shown, so the shell's history and a folder's listing survive a look at the
 * slots; each loads when first shown. One client per device sends the calls one at a time (console-client.ts).
 */
import { useMemo, useState, type JSX } from 'react';
import { createConsoleClient } from './console-client';
import { FilesPanel } from './FilesPanel';
import { ImagesPanel } from './ImagesPanel';
import { InfoPanel } from './InfoPanel';
import { SettingsPanel } from './SettingsPanel';
import { ShellPanel } from './ShellPanel';
import { StatsPanel } from './StatsPanel';

type Panel = 'info' | 'images' | 'files' | 'settings' | 'shell' | 'stats';

const PANELS: ReadonlyArray<{ panel: Panel; label: string }> = [
  { panel: 'info', label: 'Info' },
  { panel: 'images', label: 'Images' },
  { panel: 'files', label: 'Files' },
  { panel: 'settings', label: 'Settings' },
  { panel: 'shell', label: 'Shell' },
  { panel: 'stats', label: 'Statistics' },
];

export function DeviceConsole({ deviceId }: { deviceId: string }): JSX.Element {
  const client = useMemo(() => createConsoleClient(deviceId), [deviceId]);
  const [panel, setPanel] = useState<Panel>('info');
  return (
    <section className="panel device-console" aria-label="Device console" data-testid="device-console" data-device-id={deviceId}>
      <div role="tablist" aria-label="Device console" className="tabs">
        {PANELS.map((p) => (
          <button
            key={p.panel}
            type="button"
            role="tab"
            id={`console-tab-${p.panel}`}
            aria-selected={panel === p.panel}
            aria-controls={`console-panel-${p.panel}`}
            data-testid={`console-tab-${p.panel}`}
            className={panel === p.panel ? 'tab tab-selected' : 'tab'}
            onClick={() => setPanel(p.panel)}
          >
            {p.label}
          </button>
        ))}
      </div>
      {PANELS.map((p) => (
        <div key={p.panel} role="tabpanel" id={`console-panel-${p.panel}`} aria-labelledby={`console-tab-${p.panel}`} hidden={panel !== p.panel}>
          {p.panel === 'info' && <InfoPanel client={client} shown={panel === 'info'} />}
          {p.panel === 'images' && <ImagesPanel client={client} shown={panel === 'images'} />}
          {p.panel === 'files' && <FilesPanel client={client} shown={panel === 'files'} />}
          {p.panel === 'settings' && <SettingsPanel client={client} shown={panel === 'settings'} />}
          {p.panel === 'shell' && <ShellPanel client={client} />}
          {p.panel === 'stats' && <StatsPanel client={client} shown={panel === 'stats'} />}
        </div>
      ))}
    </section>
  );
}
