/**
 * Every label print goes into the audit log with the same shape, whoever printed it (`fieldline label`, the run
 * view, the line): the run, where the bytes went, how many, and the label's SHA-256, so a label in hand can be matched
 * to its entry. A label is something made outside the store, so the intent is written first (`label.print-start`,
 * before a byte leaves): a kill while sending leaves a start without its `label.print`, and the log still shows
 * that a label for this run may exist.
 */
import type { RunRecord } from '../../contract/run-record';
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

export type LabelPrintStart = Omit<LabelPrintAudit, 'bytes'>;

/** Audits the intent, sends, then audits what was sent (or that sending failed, with the reason). */
export async function printAudited(store: Pick<Store, 'appendAudit'>, print: LabelPrintStart, send: () => Promise<{ bytes: number }>): Promise<{ bytes: number }> {
  const details = { run: print.record.id, target: print.target, sha256: print.sha256, ...(print.via !== undefined ? { via: print.via } : {}) };
  store.appendAudit({ actor: print.actor, action: 'label.print-start', subject: print.record.device.serial, details });
  let sent: { bytes: number };
  try {
    sent = await send();
  } catch (err) {
    store.appendAudit({ actor: print.actor, action: 'label.print-failed', subject: print.record.device.serial, details: { ...details, error: err instanceof Error ? err.message.slice(0, 300) : String(err) } });
    throw err;
  }
  auditLabelPrint(store, { ...print, bytes: sent.bytes });
  return sent;
}
