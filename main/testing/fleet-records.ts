/** The run records of a fleet benchmark or test: deterministic ids and serials per station, so no two stations share one. */
import type { RunRecord } from '../contract/run-record';
import { sampleRunRecord } from './run-records';

/** The id of record `index` of station `station` (below 2^20 records per station). */
export function fleetRecordId(station: number, index: number): string {
  return `00000000-0000-4000-8000-${(station * 0x100000 + index).toString(16).padStart(12, '0')}`;
}

/** Record `index` of station `station`: every optional field filled, ~3 KB. */
export function fleetRecord(station: number, index: number): RunRecord {
  const { previousRunId: _none, ...record } = sampleRunRecord({
    id: fleetRecordId(station, index),
    serial: `GW-F${String(station).padStart(3, '0')}-${String(index).padStart(6, '0')}`,
    outcome: 'passed',
  });
  return record;
}
