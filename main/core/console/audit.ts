/**
 * Every console write goes into the store's audit log — the same hash-chained log provisioning writes — naming the
 * operator, the device and what was done. The entry is written once the device has answered, and says whether the
 * write was done or failed (with the code): the log states what happened, not what was asked.
 */
import type { Device } from '../../contract/devices';
import { FieldlineError } from '../../errors';
import type { Store } from '../../store/types';

export interface ConsoleWrite {
  /** `operator:NAME` of whoever made the call. */
  actor: string;
  /** `console.image.erase`, `console.shell`, … */
  action: string;
  device: Device;
  details: Record<string, unknown>;
}

export async function audited<T>(store: Store, write: ConsoleWrite, work: () => Promise<T>, result: (value: T) => Record<string, unknown> = () => ({})): Promise<T> {
  const entry = (details: Record<string, unknown>): void => {
    store.appendAudit({
      actor: write.actor,
      action: write.action,
      subject: write.device.serial ?? write.device.path,
      details: { device: write.device.path, ...write.details, ...details },
    });
  };
  let value: T;
  try {
    value = await work();
  } catch (err) {
    entry({ outcome: 'failed', error: err instanceof FieldlineError ? err.code : 'INTERNAL' });
    throw err;
  }
  entry({ outcome: 'done', ...result(value) });
  return value;
}
