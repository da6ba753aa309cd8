/**
 * Settings: registry, operator, label printer, Bluetooth adapter, idle lock, station CA, data directory. On a station
 * with operators each section is offered only to a role that may change it (the core refuses the others anyway): the
 * registry and the CA to an admin, the station's own settings to an admin; the CA's unlock form, when it is locked, to
 * anyone who may unlock it.
 */
import type { JSX } from 'react';
import { allows, useSession } from '../../state/session';
import { useSettings } from '../../state/settings';
import { ScreenTitle } from '../ScreenTitle';
import { BleAdapterForm } from './BleAdapterForm';
import { CaPanel } from './CaPanel';
import { FixtureLabelsForm } from './FixtureLabelsForm';
import { IdleLockForm } from './IdleLockForm';
import { OperatorForm } from './OperatorForm';
import { PrinterForm } from './PrinterForm';
import { RegistryForm } from './RegistryForm';

export function SettingsScreen(): JSX.Element {
  const settings = useSettings((s) => s.settings);
  const registry = useSession((s) => allows(s.session, 'registry.settings'));
  const station = useSession((s) => allows(s.session, 'station.settings'));
  const manageCa = useSession((s) => allows(s.session, 'ca.manage'));
  const unlockCa = useSession((s) => allows(s.session, 'ca.unlock'));
  const claimed = useSession((s) => s.session?.claimed === true);
  return (
    <>
      <ScreenTitle>Settings</ScreenTitle>
      {!settings ? (
        <p className="empty">Loading…</p>
      ) : (
        <>
          {registry && (
            <section className="panel">
              {/* Keyed: the form starts from what the station has, and again when that changes elsewhere. */}
              <RegistryForm key={settings.registryUrl ?? ''} initialUrl={settings.registryUrl ?? ''} />
            </section>
          )}
          {station && !claimed && (
            // With operators, who did what is the signed-in operator; the free-text name is for stations without.
            <section className="panel">
              <OperatorForm key={settings.operator} initialName={settings.operator} />
            </section>
          )}
          {station && (
            <>
              <section className="panel">
                <PrinterForm key={settings.printer ?? ''} initial={settings.printer ?? ''} />
              </section>
              <section className="panel">
                <BleAdapterForm key={`${settings.ble?.adapter ?? ''}-${settings.ble?.source ?? ''}`} ble={settings.ble} />
              </section>
              <section className="panel">
                <FixtureLabelsForm key={`${JSON.stringify(settings.fixtureLabels)}-${settings.operatorSound}`} initial={settings.fixtureLabels} sound={settings.operatorSound} />
              </section>
            </>
          )}
          {station && claimed && (
            <section className="panel">
              <IdleLockForm key={settings.idleLockMinutes} initial={settings.idleLockMinutes} />
            </section>
          )}
          <CaPanel details={manageCa} unlock={unlockCa} />
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
