/**
 * Devices: the batch choice, then every gateway as it appears and vanishes — USB ports by themselves, Bluetooth
 * gateways after a scan — each with one Provision button.
 */
import { useState, type JSX } from 'react';
import { provisionSelected } from '../../effects/devices';
import { useDevices } from '../../state/devices';
import { useProfiles } from '../../state/profiles';
import { selectable, selectionStore, toProvision, useSelection } from '../../state/selection';
import { ScreenTitle } from '../ScreenTitle';
import { AddPortDialog } from './AddPortDialog';
import { BatchPanel } from './BatchPanel';
import { BleScanButton, BleScanStatus } from './BleScanPanel';
import { DeviceRow } from './DeviceRow';

function DeviceList(): JSX.Element {
  // The id list only: it changes when a device appears or vanishes, never on a state or progress change.
  const order = useDevices((s) => s.order);
  const loaded = useDevices((s) => s.loaded);
  if (order.length === 0) {
    return (
      <p className="empty" data-testid="device-list-empty">
        {loaded
          ? 'No gateways yet. Plug one in, scan for Bluetooth gateways, or use Add port for a virtual gateway or a UART.'
          : 'Looking for gateways…'}
      </p>
    );
  }
  return (
    <ul className="device-list" data-testid="device-list" aria-label="Gateways">
      {order.map((id) => (
        <DeviceRow key={id} id={id} />
      ))}
    </ul>
  );
}

/** Provision selected: tick gateways (or all that can start), then one click runs them all side by side. */
function SelectionBar(): JSX.Element | null {
  const ready = useDevices((s) => s.order.filter((id) => selectable(s.byId[id], Boolean(s.starting[id]))).join('\n'));
  const ids = useSelection((s) => s.ids);
  const count = useDevices((s) => toProvision(s.order, ids, s.byId, s.starting).length);
  const ticked = Object.keys(ids).length;
  const haveProfile = useProfiles((s) => s.choice.profilePath !== undefined);
  const readyIds = ready === '' ? [] : ready.split('\n');
  if (readyIds.length === 0 && ticked === 0) return null;
  return (
    <div className="devices-toolbar" data-testid="devices-toolbar">
      <button type="button" data-testid="select-all-ready" disabled={readyIds.length === 0} onClick={() => selectionStore.getState().setAll(readyIds)}>
        Select all ready ({readyIds.length})
      </button>
      <button type="button" data-testid="select-none" disabled={ticked === 0} onClick={() => selectionStore.getState().setAll([])}>
        Clear selection
      </button>
      <button type="button" className="button-primary" data-testid="provision-selected" disabled={count === 0 || !haveProfile} onClick={() => void provisionSelected()}>
        Provision selected ({count})
      </button>
    </div>
  );
}

export function DevicesScreen(): JSX.Element {
  const [adding, setAdding] = useState(false);
  const count = useDevices((s) => s.order.length);
  return (
    <>
      <ScreenTitle>Devices</ScreenTitle>
      <BatchPanel />
      <section className="panel" aria-labelledby="devices-title">
        <div className="panel-head">
          <h2 id="devices-title">Gateways ({count})</h2>
          <div className="actions">
            <BleScanButton />
            <button type="button" data-testid="add-port" onClick={() => setAdding(true)}>
              Add port
            </button>
          </div>
        </div>
        <BleScanStatus />
        <SelectionBar />
        <DeviceList />
      </section>
      {adding && <AddPortDialog onClose={() => setAdding(false)} />}
    </>
  );
}
