/**
 * One station of a fleet benchmark or test, as its own process: `node --import tsx fleet-station.ts`. It takes
 * commands as JSON lines on stdin and answers each with a JSON line on stdout (fleet.ts drives it):
 *
 *   {"cmd":"seed","dir":D,"station":S,"count":N}  N passed run records saved into D's store through saveRun (the
 *                                                   outbox row in the run's transaction), in one transaction
 *   {"cmd":"drain","dir":D,"urls":[U…],"token":T,   the station's real sync path — registry.json + token as
 *    "batchRecords"?:B}                             `registry login` saves them, openSyncSession, drainOnce — against
 *                                                   U[0]; when a pass stops because that registry is unreachable, it
 *                                                   logs in to the next URL (the surviving registry) and drains again
 *
 * While draining it reports {"event":"ack","records":n} after each acknowledged batch, so a test can act at a point
 * of the drain by waiting on these lines rather than on a clock. Each upload request is timed around the client's
 * uploadBatch (request written to reply parsed), on the wall clock shared by every process on the machine.
 */
import { createInterface } from 'node:readline';
import { openStore } from '../store/store';
import { saveRegistrySettings } from '../sync/registry-config';
import { openSyncSession } from '../sync/session';
import { fleetRecord } from './fleet-records';

interface SeedCommand {
  cmd: 'seed';
  dir: string;
  station: number;
  count: number;
}
interface DrainCommand {
  cmd: 'drain';
  dir: string;
  urls: string[];
  token: string;
  batchRecords?: number;
}

export interface DrainReport {
  /** Epoch ms: the first upload request started, the last acknowledgement arrived. */
  firstRequestAt: number;
  lastAckAt: number;
  /** Each upload request's duration in ms, failed ones included. */
  latenciesMs: number[];
  accepted: number;
  duplicate: number;
  remaining: number;
  /** How many times the station moved on to the next registry. */
  failovers: number;
}

const now = (): number => performance.timeOrigin + performance.now();
const say = (line: object): void => void process.stdout.write(JSON.stringify(line) + '\n');

function seed({ dir, station, count }: SeedCommand): object {
  const t0 = now();
  const store = openStore(dir);
  try {
    store.db.transaction(() => {
      for (let i = 0; i < count; i++) store.saveRun(fleetRecord(station, i));
    }).immediate();
  } finally {
    store.close();
  }
  return { seeded: count, ms: Math.round(now() - t0) };
}

async function drain({ dir, urls, token, batchRecords }: DrainCommand): Promise<DrainReport> {
  const report: DrainReport = { firstRequestAt: 0, lastAckAt: 0, latenciesMs: [], accepted: 0, duplicate: 0, remaining: 0, failovers: 0 };
  const store = openStore(dir);
  try {
    for (let at = 0; ; at++) {
      const url = urls[at % urls.length] as string;
      saveRegistrySettings(dir, { url, token });
      // A fresh session per registry, as a new `fieldline sync` after `registry login` would open: its drainer
      // starts by making rows left in flight by the failed pass pending again.
      const session = openSyncSession(dir, store, { version: 'fleet-bench', ...(batchRecords ? { batchRecords } : {}) });
      const upload = session.client.uploadBatch.bind(session.client);
      session.client.uploadBatch = async (body, ids, signal) => {
        const t0 = now();
        if (report.firstRequestAt === 0) report.firstRequestAt = t0;
        const outcome = await upload(body, ids, signal);
        const t1 = now();
        report.latenciesMs.push(t1 - t0);
        if (outcome.kind === 'acknowledged') {
          report.lastAckAt = t1;
          say({ event: 'ack', records: outcome.reply.accepted.length + outcome.reply.duplicate.length });
        }
        return outcome;
      };
      const pass = await session.drainer.drainOnce();
      report.accepted += pass.accepted;
      report.duplicate += pass.duplicate;
      report.remaining = pass.remaining;
      if (!pass.stopped || pass.stopped.kind !== 'retry' || at >= 3 * urls.length) return report;
      report.failovers++;
    }
  } finally {
    store.close();
  }
}

const lines = createInterface({ input: process.stdin });
for await (const line of lines) {
  if (line.trim() === '') continue;
  const command = JSON.parse(line) as SeedCommand | DrainCommand;
  try {
    say(command.cmd === 'seed' ? seed(command) : { report: await drain(command) });
  } catch (err) {
    say({ error: (err as Error).stack ?? String(err) });
  }
}
