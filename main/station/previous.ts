/**
 * The orchestrator's previousResult hook from the station's store: what the station already knows of the gateway
 * on a port, so that one that passed is not provisioned twice — across a line restart or a new `fieldline batch`
 * too (a second run of a provisioned gateway fails at identity with IDENTITY_EXISTS).
 *
 * The port's serial number (the USB descriptor's, or the virtual gateway's) names the device; a port without one (a
 * Bluetooth gateway, a fixed port) tells nothing, and is provisioned. The device's most recent run is its verdict:
 * it counts only when it ran this profile (same name and sha256 — an edited profile provisions again), and the
 * orchestrator skips the gateway only when that run passed. A failed, cancelled or interrupted last run — or one
 * with another profile — provisions the gateway again (that is how a failed unit is retried). Provisioning runs only:
 * a field-service record (issue #16) is no verdict on whether the unit was made.
 */
import type { RunRecord } from '../contract/run-record';
import type { Store } from '../store/types';
import type { PreviousResult } from './orchestrator';
import type { WatchedPort } from './port-watch';

export function previousFromStore(store: Pick<Store, 'lastRun'>, profile: Pick<RunRecord['profile'], 'name' | 'sha256'>): (port: WatchedPort) => PreviousResult | undefined {
  return (port) => {
    const serial = port.serialNumber?.trim();
    if (!serial) return undefined;
    // The identify step records serials upper-case (hex serials may be reported either way).
    const last = store.lastRun(serial.toUpperCase(), 'provisioning');
    if (!last || last.profile.name !== profile.name || last.profile.sha256 !== profile.sha256) return undefined;
    return { runId: last.id, outcome: last.outcome, serial: last.device.serial };
  };
}
