/**
 * The <option>s of a device picker: every gateway still attached, as "serial (path)" or its path when it has not
 * said who it is, in the Devices screen's order. The Service visit screen's drift check and its replacement both use it.
 */
import type { JSX } from 'react';
import type { Device } from '../../../main/contract/api';
import { useDevices } from '../state/devices';

export function DeviceOptions({ exclude }: { exclude?: (device: Device) => boolean }): JSX.Element {
  const order = useDevices((s) => s.order);
  const byId = useDevices((s) => s.byId);
  return (
    <>
      {order.map((id) => {
        const d = byId[id];
        if (!d || d.state === 'gone' || exclude?.(d)) return null;
        return (
          <option key={id} value={id}>
            {d.serial ? `${d.serial} (${d.path})` : d.path}
          </option>
        );
      })}
    </>
  );
}
