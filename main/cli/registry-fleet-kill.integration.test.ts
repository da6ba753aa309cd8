/**
 * Issue #15's kill test, small: four station processes drain 1,000 queued records each through their real sync
 * path into two `fieldline registry serve` processes on one PostgreSQL; once 30 % of all records are acknowledged
 * (counted from the stations' own reports, not a clock), one registry process is killed with SIGKILL. Every record
 * the stations' stores had marked delivered at that moment is in the database; the stations that lost their
 * registry move on to the surviving one and finish; nothing is lost and nothing stored twice.
 * `npm run bench -- --only fleet` runs the same at 16 × 10,000.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFleet, type Fleet } from '../testing/fleet';
import { acquireTestDatabase, postgresUnavailable } from '../testing/postgres';

const unavailable = postgresUnavailable();
const STATIONS = 4;
const RECORDS = 1000;

describe.skipIf(unavailable !== undefined)(`a registry process killed mid-drain${unavailable ? ` (skipped: ${unavailable})` : ''}`, () => {
  let work: string;
  let fleet: Fleet | undefined;
  let database: { url: string; release(): Promise<void> } | undefined;

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'fieldline-fleet-kill-'));
    [database, fleet] = await Promise.all([acquireTestDatabase(), startFleet(work, STATIONS, RECORDS)]);
  }, 120_000);

  afterAll(async () => {
    await fleet?.close();
    await database?.release();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('loses no acknowledged record, and the stations of the dead process finish on the survivor', async () => {
    // Batches of 50: each station makes 20 requests, so the stations of the killed process are mid-drain.
    const result = await fleet!.run({ name: 'kill', database: database!.url, registries: 2, killAt: 0.3, batchRecords: 50 });
    const sent = STATIONS * RECORDS;
    expect(result.atKill?.acknowledged).toBeGreaterThan(0);
    expect(result.atKill?.present).toBe(result.atKill?.acknowledged);
    // At 30 % the two stations of the killed process cannot both be done (they hold 50 %): one at least moved on.
    expect(result.failovers).toBeGreaterThanOrEqual(1);
    expect(result).toMatchObject({ sent, remaining: 0, acknowledged: sent, acknowledgedPresent: sent, stored: sent, distinct: sent, allPresent: true });
  }, 120_000);
});
