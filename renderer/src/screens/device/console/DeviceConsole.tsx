/**
 * The device console (issue #16, part 4): one gateway looked at by hand — OS info and MCUmgr params, image slots,
 * files, settings, the shell, statistics. Mounted by the device page as its Console tab: `<DeviceConsole deviceId=… />`.
 */
import type { JSX } from 'react';

export function DeviceConsole({ deviceId }: { deviceId: string }): JSX.Element {
  return (
    <section className="panel" aria-label="Device console" data-testid="device-console" data-device-id={deviceId}>
      <p className="muted">The device console is being built.</p>
    </section>
  );
}
