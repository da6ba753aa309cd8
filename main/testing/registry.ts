/**
 * A reference registry for tests: its own temporary folder and database, a free port on loopback, and a token for
 * station 'test-station'. close() stops it and removes the folder.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunRecord } from '../contract/run-record';
import { registerKey as registerStationKey, type RegisteredKey } from '../../registry/keys';
import { startRegistry, type RunningRegistry, type StartRegistryOptions } from '../../registry/server';
import { createToken as createStationToken } from '../../registry/tokens';
import { sampleRunRecord, type SampleRunOptions } from './run-records';

export const TEST_STATION = 'test-station';

export interface TestRegistry {
  url: string;
  port: number;
  /** Bearer token of station 'test-station'. */
  token: string;
  dbFile: string;
  registry: RunningRegistry;
  close(): Promise<void>;
  createToken(station: string): string;
  /** Registers an Ed25519 public key (SPKI DER, base64) for `station`, as `registry station add-key` does. */
  registerKey(station: string, publicKeyBase64: string): RegisteredKey;
}

export type TestRegistryOptions = Omit<StartRegistryOptions, 'dbFile' | 'host'>;

export async function startTestRegistry(options: TestRegistryOptions = {}): Promise<TestRegistry> {
  const dir = await mkdtemp(join(tmpdir(), 'fieldline-registry-'));
  const dbFile = join(dir, 'registry.db');
  let registry: RunningRegistry;
  try {
    registry = await startRegistry({ ...options, dbFile, host: '127.0.0.1' });
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
  const { db } = registry;
  return {
    url: registry.url,
    port: registry.port,
    token: createStationToken(db, TEST_STATION),
    dbFile,
    registry,
    close: async () => {
      await registry.close();
      await rm(dir, { recursive: true, force: true });
    },
    createToken: (station) => createStationToken(db, station),
    registerKey: (station, publicKeyBase64) => {
      const result = registerStationKey(db, station, publicKeyBase64);
      if ('conflict' in result) throw new Error(`key already registered to station "${result.conflict}"`);
      return result;
    },
  };
}

/**
 * sampleRunRecord() as the registry accepts it: runRecordSchema wants previousRunId to be a run id (a UUID), and
 * the sample's 'run-before' is not one.
 */
export function registryRunRecord(options: SampleRunOptions = {}): RunRecord {
  const { previousRunId: _previous, ...record } = sampleRunRecord(options);
  return record;
}
