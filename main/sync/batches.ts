/**
 * Cutting records into batches the registry accepts: at most `maxRecords` each, and a request body
 * ({"records":[…]}) of at most `maxBytes`. The drainer cuts as it claims rows (outbox.ts); this is for records
 * already in memory (a bundle being imported, the benchmark's baseline).
 */
import { BATCH_ENVELOPE_BYTES, type QueuedRecord } from './outbox';

/** The body of a batch, from the records' JSON exactly as it is. */
export function batchBody(records: readonly QueuedRecord[]): string {
  return `{"records":[${records.map((r) => r.json).join(',')}]}`;
}

/** The body's size in bytes, from the records' own sizes (no need to encode it again). */
export function batchBodyBytes(records: readonly QueuedRecord[]): number {
  return BATCH_ENVELOPE_BYTES + records.reduce((n, r) => n + r.bytes, 0) + Math.max(records.length - 1, 0);
}

/** In order. A record too large for any batch goes alone into `oversized`. */
export function splitIntoBatches(records: readonly QueuedRecord[], maxRecords: number, maxBytes: number): { batches: QueuedRecord[][]; oversized: QueuedRecord[] } {
  const batches: QueuedRecord[][] = [];
  const oversized: QueuedRecord[] = [];
  let current: QueuedRecord[] = [];
  let bytes = BATCH_ENVELOPE_BYTES;
  for (const record of records) {
    if (BATCH_ENVELOPE_BYTES + record.bytes > maxBytes) {
      oversized.push(record);
      continue;
    }
    const extra = record.bytes + (current.length > 0 ? 1 : 0);
    if (current.length >= maxRecords || bytes + extra > maxBytes) {
      batches.push(current);
      current = [];
      bytes = BATCH_ENVELOPE_BYTES;
    }
    bytes += record.bytes + (current.length > 0 ? 1 : 0);
    current.push(record);
  }
  if (current.length > 0) batches.push(current);
  return { batches, oversized };
}
