import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore, type SqliteStore } from '../store/store';
import { sampleRunRecord, sampleServiceRecord } from '../testing/run-records';
import { lineRecords, parseSince } from './line-records';

const NOW = new Date('2026-11-26T12:00:00.000Z');

describe('parseSince', () => {
  it('reads durations back from now, compound ones too', () => {
    expect(parseSince('8h', NOW).toISOString()).toBe('2026-11-26T04:00:00.000Z');
    expect(parseSince('1h30m', NOW).toISOString()).toBe('2026-11-26T10:30:00.000Z');
    expect(parseSince('2d', NOW).toISOString()).toBe('2026-11-24T12:00:00.000Z');
    expect(parseSince('1w', NOW).toISOString()).toBe('2026-11-19T12:00:00.000Z');
    expect(parseSince('90S', NOW).toISOString()).toBe('2026-11-26T11:58:30.000Z');
    expect(parseSince('0.5h', NOW).toISOString()).toBe('2026-11-26T11:30:00.000Z');
  });

  it('reads ISO times and dates', () => {
    expect(parseSince('2026-11-26T06:00:00Z').toISOString()).toBe('2026-11-26T06:00:00.000Z');
    expect(parseSince('2026-11-26T08:00:00+02:00').toISOString()).toBe('2026-11-26T06:00:00.000Z');
    expect(parseSince('2026-11-26').toISOString()).toBe('2026-11-26T00:00:00.000Z');
  });

  it('refuses anything else in words', () => {
    for (const bad of ['8', 'yesterday', '8x', 'h8', '', '2026-13-45', '-8h']) {
      expect(() => parseSince(bad, NOW), bad).toThrow(/--since takes an ISO time .* or a duration back from now/);
    }
  });
});

describe('lineRecords', () => {
  let dir: string;
  let store: SqliteStore;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'fieldline-line-records-'));
    store = openStore(dir);
    const at = (h: number): string => new Date(Date.parse('2026-11-26T00:00:00.000Z') + h * 3_600_000).toISOString();
    const save = (id: string, startH: number, station: string, profile: string, outcome: 'passed' | 'failed' | 'running'): void => {
      const r = sampleRunRecord({ id, serial: `GW-${id}`, startedAt: at(startH), outcome });
      r.station.name = station;
      r.profile.name = profile;
      if (outcome === 'running') r.endedAt = '';
      store.saveRun(r);
    };
    save('a', 1, 'line-1', 'gateway-eu', 'passed');
    save('b', 5, 'line-1', 'gateway-eu', 'failed');
    save('c', 6, 'line-2', 'gateway-eu', 'passed');
    save('d', 7, 'line-1', 'gateway-us', 'passed');
    save('e', 8, 'line-1', 'gateway-eu', 'running');
    // A field-service visit (issue #16) at the same station with the same profile: no run of the line.
    store.saveRun({ ...sampleServiceRecord({ id: 'f', serial: 'GW-a', startedAt: at(9) }), station: { name: 'line-1' }, profile: { name: 'gateway-eu', version: '1.0.0', sha256: 'ab'.repeat(32) } });
  });
  afterAll(async () => {
    store.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('returns finished runs oldest first, filtered by end time, station and profile', () => {
    expect(lineRecords(store).map((r) => r.id)).toEqual(['a', 'b', 'c', 'd']);
    // b started 05:00 and ended 42.5 s later: inside "since 05:00:30"; a ended long before.
    expect(lineRecords(store, { since: new Date('2026-11-26T05:00:30.000Z') }).map((r) => r.id)).toEqual(['b', 'c', 'd']);
    expect(lineRecords(store, { station: 'line-1' }).map((r) => r.id)).toEqual(['a', 'b', 'd']);
    expect(lineRecords(store, { station: 'line-1', profile: 'gateway-eu' }).map((r) => r.id)).toEqual(['a', 'b']);
    expect(lineRecords(store, { profile: 'nope' })).toEqual([]);
  });
});
