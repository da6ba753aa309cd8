/** Settings: registry, operator, label printer, Bluetooth adapter, station CA, data directory. */
import type { JSX } from 'react';
import { useSettings } from '../../state/settings';
import { ScreenTitle } from '../ScreenTitle';
import { BleAdapterForm } from './BleAdapterForm';
import { CaPanel } from './CaPanel';
import { OperatorForm } from './OperatorForm';
import { PrinterForm } from './PrinterForm';
import { RegistryForm } from './RegistryForm';

export function SettingsScreen(): JSX.Element {
  const settings = useSettings((s) => s.settings);
  return (
    <>
      <ScreenTitle>Settings</ScreenTitle>
      {!settings ? (
        <p className="empty">Loading…</p>
      ) : (
        <>
          <section className="panel">
            {/* Keyed: the form starts from what the station has, and again when that changes elsewhere. */}
            <RegistryForm key={settings.registryUrl ?? ''} initialUrl={settings.registryUrl ?? ''} />
          </section>
          <section className="panel">
            <OperatorForm key={settings.operator} initialName={settings.operator} />
          </section>
          <section className="panel">
            <PrinterForm key={settings.printer ?? ''} initial={settings.printer ?? ''} />
          </section>
          <section className="panel">
            <BleAdapterForm key={`${settings.ble?.adapter ?? ''}-${settings.ble?.source ?? ''}`} ble={settings.ble} />
          </section>
          <CaPanel />
          <section className="panel" aria-labelledby="datadir-title">
            <h2 id="datadir-title">Data directory</h2>
            <p className="mono" data-testid="settings-data-dir">
              {settings.dataDir}
            </p>
            <p className="field-help">Shared with the `fieldline` command line: runs queued by one are sent by the other.</p>
          </section>
        </>
      )}
    </>
  );
}
