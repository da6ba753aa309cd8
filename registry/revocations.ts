/**
 * Per-station revocation lists as the registry keeps them (main/contract/registry/revocations.ts), behind an interface
 * of their own beside RegistryRepository, on the records repository's database (revocations-open.ts picks the
 * engine's): each station's list is replaced whole by its upload and read whole, so it is kept as one JSON text.
 */
import type { RevocationEntry, StationRevocationList } from '../main/contract/registry/revocations';

export interface RevocationRepository {
  /** Replaces the list stored for `station` (one statement: a reader sees the old list or the new one, never a mix). */
  replace(station: string, issuer: string, entries: readonly RevocationEntry[], at: Date): Promise<void>;
  /** Every station's list by station name (byte order), or only `station`'s. */
  lists(station?: string): Promise<StationRevocationList[]>;
}

/** A row as either engine reads it. */
export interface RevocationRow {
  station: string;
  issuer: string;
  updatedAt: string;
  entries: string;
}

/** The entries were checked by the edge schema before they were stored: read back as they went in. */
export function toRevocationList(row: RevocationRow): StationRevocationList {
  return { station: row.station, issuer: row.issuer, updatedAt: row.updatedAt, entries: JSON.parse(row.entries) as RevocationEntry[] };
}
