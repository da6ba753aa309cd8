/**
 * Devices: the batch choice, then every gateway as it appears and vanishes — USB ports by themselves, Bluetooth
 * gateways after a scan — each with one Provision button.
 */
import { useState, type JSX } from 'react';
import { useDevices } from '../../state/devices';
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
        <DeviceList />
      </section>
      {adding && <AddPortDialog onClose={() => setAdding(false)} />}
    </>
  );
}
