/**
 * `npm run bench -- --only fleet` (issue #15): 16 stations, each its own process with 10,000 queued run records in
 * its store, drain at once through their real sync path (openSyncSession + drainOnce, as `fieldline sync --once`)
 * into one registry — on PostgreSQL (a throwaway cluster started here, stopped on exit, also on failure) served by
 * two `fieldline registry serve` processes, the stations split between them, then on SQLite served by one — in the
 * same run, side by side, with the CPU each side spent per record (stations, registry processes, PostgreSQL).
 * Records/s runs from the first upload request to the last acknowledgement over all stations; the batch latency
 * is each upload request's, timed in the station; the registry's database is then counted: distinct ids = sent,
 * and every sent id present. Last, the kill: two registry processes on one PostgreSQL, one killed with SIGKILL
 * half-way; its stations move on to the other, and every record any station had been told was stored is present.
 * --quick: 16 stations × 1,000 records.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFleet, type FleetResult } from '../main/testing/fleet';
import { postgresUnavailable, startTestPostgres } from '../main/testing/postgres';

const STATIONS = 16;
const GOAL_RECORDS_PER_SECOND = 5000;
const GOAL_P99_MS = 500;

const int = (n: number): string => Math.round(n).toLocaleString('en-US');

function row(r: FleetResult): string {
  const engine = `${r.engine} × ${r.registries}`.padEnd(12);
  const check = r.distinct === r.sent && r.stored === r.sent && r.allPresent ? 'distinct = sent' : `DISTINCT ${int(r.distinct)} of ${int(r.stored)} rows, sent ${int(r.sent)}`;
  const us = (seconds: number): string => `${Math.round((seconds * 1e6) / r.sent)} µs`;
  const cpu = `CPU per record: registry ${us(r.cpu.registries)}, stations ${us(r.cpu.stations)}${r.engine === 'postgres' ? `, postgres ${us(r.cpu.postgres)}` : ''}`;
  return `${engine} ${int(r.recordsPerSecond).padStart(7)} records/s  p50 ${r.p50Ms.toFixed(0).padStart(4)} ms  p99 ${r.p99Ms.toFixed(0).padStart(4)} ms  max ${r.maxMs.toFixed(0).padStart(5)} ms  ${r.seconds.toFixed(1)} s, ${r.requests} requests  ${check} (${int(r.distinct)})  ${cpu}`;
}

export async function fleetEntry({ quick, json }: { quick: boolean; json: boolean }): Promise<boolean> {
  const unavailable = postgresUnavailable();
  if (unavailable) {
    process.stdout.write(`fleet: skipped, ${unavailable}\n`);
    return false;
  }
  const records = quick ? 1000 : 10_000;
  const work = mkdtempSync(join(tmpdir(), 'fieldline-bench-fleet-'));
  // Ctrl+C or a kill still stops the cluster (its exit hook runs on process.exit, not on a default signal death)
  // and removes the stores; the station processes end when their stdin closes with this process.
  const onSignal = (): void => {
    rmSync(work, { recursive: true, force: true });
    process.exit(130);
  };
  const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
  for (const signal of signals) process.once(signal, onSignal);
  const postgres = await startTestPostgres();
  try {
    const fleet = await startFleet(work, STATIONS, records);
    try {
      if (!json) {
        process.stdout.write(
          `\nFleet: ${STATIONS} station processes × ${int(records)} queued records each (seeded in ${(fleet.seedMs / 1000).toFixed(1)} s), drained at once through each station's sync path into one registry (load average ${loadavg().map((l) => l.toFixed(1)).join(' ')})\n`,
        );
      }
      const results: FleetResult[] = [];
      const show = (r: FleetResult): void => {
        results.push(r);
        process.stdout.write((json ? JSON.stringify({ bench: 'fleet', ...r }) : row(r)) + '\n');
      };
      show(await fleet.run({ name: 'pg-2', database: postgres.url, registries: 2 }));
      show(await fleet.run({ name: 'sqlite-1', database: join(work, 'registry.db'), registries: 1 }));
      const kill = await fleet.run({ name: 'pg-kill', database: await postgres.createDatabase(), registries: 2, killAt: 0.5 });

      const [postgresRun, sqlite] = results as [FleetResult, FleetResult];
      const correct = results.every((r) => r.distinct === r.sent && r.stored === r.sent && r.allPresent && r.remaining === 0);
      const killOk =
        kill.atKill !== undefined && kill.atKill.present === kill.atKill.acknowledged && kill.acknowledgedPresent === kill.acknowledged && kill.allPresent && kill.distinct === kill.sent && kill.remaining === 0;
      const goal = postgresRun.recordsPerSecond >= GOAL_RECORDS_PER_SECOND && postgresRun.p99Ms <= GOAL_P99_MS;
      if (json) {
        process.stdout.write(JSON.stringify({ bench: 'fleet-kill', ...kill }) + '\n');
        process.stdout.write(JSON.stringify({ bench: 'fleet-target', pass: goal && correct && killOk, recordsPerSecond: postgresRun.recordsPerSecond, p99Ms: postgresRun.p99Ms, killOk }) + '\n');
      } else {
        process.stdout.write(
          [
            `postgres (2 registry processes) ÷ sqlite (1): ${(postgresRun.recordsPerSecond / sqlite.recordsPerSecond).toFixed(2)} in records/s, ${(postgresRun.p99Ms / sqlite.p99Ms).toFixed(2)} in p99`,
            `kill: registry 1 of 2 on postgres SIGKILLed at ${int(kill.atKill?.acknowledged ?? 0)} acknowledged records; of those ${int(kill.atKill?.present ?? 0)} present afterwards; ${kill.failovers} station(s) moved to the survivor and finished: ${int(kill.acknowledged)} acknowledged, ${int(kill.acknowledgedPresent)} present, ${int(kill.distinct)} distinct of ${int(kill.sent)} sent, ${int(kill.remaining)} left — ${killOk ? 'no acknowledged record lost' : 'RECORDS LOST OR LEFT'}`,
            `target: postgres ≥ ${int(GOAL_RECORDS_PER_SECOND)} records/s with p99 ≤ ${GOAL_P99_MS} ms: ${int(postgresRun.recordsPerSecond)} records/s, p99 ${postgresRun.p99Ms.toFixed(0)} ms (${postgresRun.registries} process${postgresRun.registries > 1 ? 'es' : ''}) — ${goal ? 'met' : 'NOT met'}; distinct = sent in every run: ${correct ? 'yes' : 'NO'}`,
          ].join('\n') + '\n',
        );
      }
      return goal && correct && killOk;
    } finally {
      await fleet.close();
    }
  } finally {
    await postgres.close();
    rmSync(work, { recursive: true, force: true });
    for (const signal of signals) process.removeListener(signal, onSignal);
  }
}
