/**
 * Every label print goes into the audit log with the same shape, whoever printed it (`fieldline label`, the run
 * view, the line): the run, where the bytes went, how many, and the label's SHA-256, so a label in hand can be matched
 * to its entry.
 */
import type { RunRecord } from '../../provisioning/record';
import type { Store } from '../../store/types';

export interface LabelPrintAudit {
  /** `operator:<name>` */
  actor: string;
  record: Pick<RunRecord, 'id' | 'device'>;
  /** `printer:<host>:<port>`, `file:<path>` or `stdout`. */
  target: string;
  bytes: number;
  sha256: string;
  /** Which part of the app asked (absent for the CLI). */
  via?: string;
}

export function auditLabelPrint(store: Pick<Store, 'appendAudit'>, print: LabelPrintAudit): void {
  store.appendAudit({
    actor: print.actor,
    action: 'label.print',
    subject: print.record.device.serial,
    details: { run: print.record.id, target: print.target, bytes: print.bytes, sha256: print.sha256, ...(print.via !== undefined ? { via: print.via } : {}) },
  });
}
