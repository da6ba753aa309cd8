/**
 * Reconciliation of exported records: rows marked `exported` went out in an offline bundle, and the station cannot
 * know when (or whether) that bundle reached the registry. `fieldline sync` (and the continuous drainer, every few
 * minutes) asks the registry for the devices of exported records — GET /v1/devices/{serial}, which lists each
 * device's runs — and marks sent every exported record the registry holds. Kept simple on purpose: one request
 * per device, at most `maxDevices` devices per call (the oldest exports first), so a large backlog is worked
 * through over several syncs. A record whose bundle was lost stays exported until `fieldline queue retry <id>`
 * puts it back in the queue.
 */
import type { Outbox } from './outbox';
import type { DeviceReply } from '../contract/registry/api';

export interface DeviceLookup {
  device(serial: string): Promise<DeviceReply | undefined>;
}

export interface ReconcileResult {
  /** Exported records looked at, devices asked about, records found in the registry (now sent). */
  checked: number;
  devices: number;
  confirmed: number;
}

export async function reconcileExported(outbox: Outbox, registry: DeviceLookup, maxDevices = 100): Promise<ReconcileResult> {
  const rows = outbox.exportedRows(maxDevices * 20);
  const bySerial = new Map<string, string[]>();
  for (const row of rows) {
    const ids = bySerial.get(row.serial);
    if (ids) ids.push(row.runId);
    else if (bySerial.size < maxDevices) bySerial.set(row.serial, [row.runId]);
  }
  const found: string[] = [];
  let checked = 0;
  for (const [serial, ids] of bySerial) {
    checked += ids.length;
    const device = await registry.device(serial);
    if (!device) continue;
    const held = new Set(device.runs.map((r) => r.id));
    found.push(...ids.filter((id) => held.has(id)));
  }
  const confirmed = found.length > 0 ? outbox.markReconciled(found) : 0;
  return { checked, devices: bySerial.size, confirmed };
}
