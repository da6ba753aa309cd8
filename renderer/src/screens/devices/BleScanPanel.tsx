/**
 * The Bluetooth scan on the Devices screen: the button, what is happening, and — when the radio cannot be used — the
 * reason and the fix in words, right where the technician pressed the button (the alert region has them too).
 */
import type { JSX } from 'react';
import { ErrorText } from '../../components/ErrorText';
import { formatTime } from '../../components/format';
import { scanBle } from '../../effects/devices';
import { useDevices } from '../../state/devices';

export function BleScanButton(): JSX.Element {
  const scanning = useDevices((s) => s.bleScan.scanning);
  return (
    <button type="button" data-testid="ble-scan" aria-describedby="ble-scan-status" disabled={scanning} onClick={() => void scanBle()}>
      {scanning ? 'Scanning…' : 'Scan for Bluetooth gateways'}
    </button>
  );
}

export function BleScanStatus(): JSX.Element | null {
  const scan = useDevices((s) => s.bleScan);
  const state = scan.scanning ? 'scanning' : scan.error ? 'failed' : scan.last ? 'done' : 'idle';
  return (
    <div id="ble-scan-status" className="ble-scan-status" role="status" data-testid="ble-scan-state" data-state={state}>
      {scan.scanning && <span>Listening for Bluetooth gateways…</span>}
      {!scan.scanning && scan.error && (
        <span className="ble-scan-error tone-bad" data-testid="ble-scan-error" data-code={scan.error.code}>
          <ErrorText error={scan.error} />
        </span>
      )}
      {!scan.scanning && !scan.error && scan.last && (
        <span data-testid="ble-scan-result" data-count={scan.last.count}>
          {scan.last.count === 0 ? 'No Bluetooth gateway heard' : `${scan.last.count} Bluetooth gateway${scan.last.count === 1 ? '' : 's'} heard`}
          {scan.last.adapter === 'virtual' ? ' (virtual gateways)' : ''} at {formatTime(scan.last.at)}.
        </span>
      )}
    </div>
  );
}
