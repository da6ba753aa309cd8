/** A gateway that passed before is not provisioned again (previousResult); one that failed is. */
import { describe, expect, it } from 'vitest';
import type { RunRecord } from '../contract/run-record';
import { fakePortWatch } from '../testing/fake-port-watch';
import { createOrchestrator, type OrchestratorOptions, type PreviousResult, type RunStart, type Slot } from './orchestrator';
import type { WatchedPort } from './port-watch';

const vport = (n: number, serialNumber: string | undefined = `GW${n}`): WatchedPort => ({
  path: `/ports/P${n}`,
  source: 'virtual',
  ...(serialNumber !== undefined ? { serialNumber } : {}),
});
const tick = (): Promise<void> => new Promise((r) => setTimeout(r, 5));

/** A station whose "store" is a map of serial → last run, filled by the runs that end (as the real store is). */
async function station(options: Partial<OrchestratorOptions> = {}, known: Map<string, PreviousResult> = new Map()) {
  const watch = fakePortWatch();
  const starts: RunStart[] = [];
  const enders = new Map<string, (outcome: RunRecord['outcome']) => void>();
  const lookups: string[] = [];
  const o = createOrchestrator({
    watch,
    previousResult: (port) => {
      lookups.push(port.path);
      return port.serialNumber === undefined ? undefined : known.get(port.serialNumber);
    },
    ...options,
    provision: (run) =>
      new Promise((resolve) => {
        starts.push(run);
        enders.set(run.port.path, (outcome) => {
          enders.delete(run.port.path);
          const serial = run.port.serialNumber ?? 'X';
          known.set(serial, { runId: run.runId, outcome, serial });
          const at = new Date().toISOString();
          resolve({ id: run.runId, device: { serial, port: run.port.path }, profile: { name: 'p', version: '1', sha256: 'a' }, station: { name: 's' }, variables: {}, startedAt: at, endedAt: at, outcome, steps: [], diagnostics: [] });
        });
        run.signal.addEventListener('abort', () => enders.get(run.port.path)?.('cancelled'));
      }),
  });
  const slotEvents: Slot[] = [];
  const runEvents: string[] = [];
  o.on('slot', (s) => slotEvents.push(s));
  o.on('run-start', (r) => runEvents.push(`start ${r.port}`));
  o.on('run-end', (e) => runEvents.push(`end ${e.port}`));
  await o.start();
  const slot = (n: number): Slot | undefined => o.slots().find((s) => s.port === `/ports/P${n}`);
  return { watch, o, starts, enders, lookups, slotEvents, runEvents, slot, known };
}

describe('orchestrator: gateways that passed before', () => {
  it('puts a gateway that passed before straight into passed (previous), with no run and no count toward maxRuns', async () => {
    const known = new Map<string, PreviousResult>([['GW1', { runId: 'earlier-1', outcome: 'passed', serial: 'GW1' }]]);
    const t = await station({ maxRuns: 1 }, known);
    t.watch.plug(vport(1));
    await tick();
    expect(t.starts).toEqual([]);
    expect(t.slot(1)).toEqual({ port: '/ports/P1', state: 'passed', source: 'virtual', serialNumber: 'GW1', runId: 'earlier-1', serial: 'GW1', outcome: 'passed', previous: true });
    expect(t.runEvents).toEqual([]);
    expect(t.o.started).toBe(0);
    await t.o.idle();
    // The one run of this batch is still there for a new gateway.
    t.watch.plug(vport(2));
    await tick();
    expect(t.starts.map((s) => s.port.path)).toEqual(['/ports/P2']);
    expect(t.o.started).toBe(1);
    await t.o.stop();
  });

  it('provisions a gateway whose previous run failed, or that is not known, or has no serial', async () => {
    const known = new Map<string, PreviousResult>([
      ['GW1', { runId: 'earlier-1', outcome: 'failed', serial: 'GW1' }],
      ['GW2', { runId: 'earlier-2', outcome: 'cancelled', serial: 'GW2' }],
    ]);
    const t = await station({}, known);
    t.watch.plug(vport(1));
    t.watch.plug(vport(2));
    t.watch.plug(vport(3));
    t.watch.plug(vport(4, undefined));
    await tick();
    expect(t.starts.map((s) => s.port.path).sort()).toEqual(['/ports/P1', '/ports/P2', '/ports/P3', '/ports/P4']);
    expect(t.o.slots().some((s) => s.previous)).toBe(false);
    await t.o.stop();
  });

  it('never provisions a passed gateway twice: not when it is unplugged and back, nor on a restart with it still plugged in', async () => {
    const t = await station();
    t.watch.plug(vport(1));
    t.watch.plug(vport(2));
    await tick();
    expect(t.starts).toHaveLength(2);
    t.enders.get('/ports/P1')!('passed');
    t.enders.get('/ports/P2')!('failed');
    await tick();
    const firstRun = t.starts[0]!.runId;
    t.watch.unplug('/ports/P1');
    t.watch.plug(vport(1));
    await tick();
    expect(t.starts).toHaveLength(2);
    expect(t.slot(1)).toMatchObject({ state: 'passed', previous: true, runId: firstRun });
    await t.o.stop();

    // A new line (or batch) over the same ports and the same store: the passed one is left alone, the failed one is retried.
    const restart = await station({}, t.known);
    for (const p of t.watch.list()) restart.watch.plug(p);
    await tick();
    expect(restart.starts.map((s) => s.port.path)).toEqual(['/ports/P2']);
    expect(restart.slot(1)).toMatchObject({ state: 'passed', previous: true, runId: firstRun, serial: 'GW1' });
    expect(restart.runEvents).toEqual(['start /ports/P2']);
    await restart.o.stop();
  });

  it('is consulted only for gateways the rules match; a lookup that throws provisions the gateway', async () => {
    const t = await station({
      rules: { serialPattern: /^GW/ },
      previousResult: (port) => {
        if (port.serialNumber === 'GW1') throw new Error('database is locked');
        return { runId: 'r', outcome: 'passed', serial: port.serialNumber ?? '' };
      },
    });
    t.watch.plug(vport(1));
    t.watch.plug(vport(2, 'XX2'));
    await tick();
    expect(t.starts.map((s) => s.port.path)).toEqual(['/ports/P1']);
    expect(t.slot(2)).toBeUndefined();
    await t.o.stop();
  });

  it('does not hold a passed gateway for its label scan', async () => {
    const known = new Map<string, PreviousResult>([['GW1', { runId: 'earlier-1', outcome: 'passed', serial: 'GW1' }]]);
    const t = await station({ requireScan: true }, known);
    t.watch.plug(vport(1));
    t.watch.plug(vport(2));
    await tick();
    expect(t.slot(1)).toMatchObject({ state: 'passed', previous: true });
    expect(t.slot(1)!.awaitingScan).toBeUndefined();
    expect(t.slot(2)).toMatchObject({ state: 'provisioning', queued: true, awaitingScan: true });
    await t.o.stop();
  });
});
