import { describe, expect, it } from 'vitest';
import type { RunRecord, StepName } from '../contract/run-record';
import { createOrchestrator, matchesRules, type RunStart } from './orchestrator';
import { fakePortWatch } from '../testing/fake-port-watch';
import { orchestratorRunRecord } from '../testing/run-records';
import type { WatchedPort } from './port-watch';

const fakeWatch = fakePortWatch;

const vport = (n: number): WatchedPort => ({ path: `/ports/GW${n}`, source: 'virtual', serialNumber: `GW${n}` });
const tick = (): Promise<void> => new Promise((r) => setTimeout(r, 5));

/** A provision fake whose runs end when the test says so. */
function controllable() {
  const pending = new Map<string, { run: RunStart; end: (outcome: RunRecord['outcome'], step?: StepName) => void }>();
  const calls: string[] = [];
  let running = 0;
  let peak = 0;
  const provision = (run: RunStart): Promise<RunRecord> =>
    new Promise((resolve) => {
      calls.push(run.port.path);
      running += 1;
      peak = Math.max(peak, running);
      const end = (outcome: RunRecord['outcome'], step?: StepName): void => {
        running -= 1;
        pending.delete(run.port.path);
        resolve(orchestratorRunRecord(run, outcome, step));
      };
      pending.set(run.port.path, { run, end });
      run.signal.addEventListener('abort', () => end('cancelled'));
    });
  return { provision, pending, calls, peak: () => peak };
}

describe('orchestrator', () => {
  it('provisions a plugged gateway once; again only after unplug and a new plug-in', async () => {
    const watch = fakeWatch();
    const fake = controllable();
    const o = createOrchestrator({ watch, provision: fake.provision });
    await o.start();
    watch.plug(vport(1));
    await tick();
    expect(fake.calls).toEqual(['/ports/GW1']);
    fake.pending.get('/ports/GW1')!.end('passed');
    await tick();
    expect(o.slots()[0]).toMatchObject({ state: 'passed' });
    // Still plugged: a re-announcement (a rescan) does not start a second run.
    watch.plug(vport(1));
    await tick();
    expect(fake.calls).toHaveLength(1);
    watch.unplug('/ports/GW1');
    expect(o.slots()).toEqual([]);
    watch.plug(vport(1));
    await tick();
    expect(fake.calls).toHaveLength(2);
    await o.stop();
  });

  it('respects the concurrency limit and queues the rest in plug-in order', async () => {
    const watch = fakeWatch();
    const fake = controllable();
    const o = createOrchestrator({ watch, provision: fake.provision, concurrency: 3 });
    await o.start();
    for (let i = 0; i < 7; i++) watch.plug(vport(i));
    await tick();
    expect(fake.calls).toEqual(['/ports/GW0', '/ports/GW1', '/ports/GW2']);
    expect(o.slots().filter((s) => s.queued)).toHaveLength(4);
    while (fake.pending.size > 0) {
      [...fake.pending.values()][0]!.end('passed');
      await tick();
    }
    expect(fake.calls).toHaveLength(7);
    expect(new Set(fake.calls).size).toBe(7);
    expect(fake.peak()).toBe(3);
    expect(o.slots().every((s) => s.state === 'passed')).toBe(true);
    await o.stop();
  });

  it('keeps one gateway’s fault to itself, ends a vanished run as the run reports, and empties its slot', async () => {
    const watch = fakeWatch();
    const ends: string[] = [];
    const o = createOrchestrator({
      watch,
      provision: async (run) => {
        if (run.port.path === '/ports/GW1') throw new Error('boom');
        if (run.port.path === '/ports/GW2') {
          watch.unplug(run.port.path);
          return orchestratorRunRecord(run, 'interrupted');
        }
        return orchestratorRunRecord(run, 'failed', 'diagnostics');
      },
    });
    o.on('run-end', (e) => ends.push(`${e.port}:${e.record.outcome}`));
    await o.start();
    for (const i of [0, 1, 2]) watch.plug(vport(i));
    await tick();
    expect(ends.sort()).toEqual(['/ports/GW0:failed', '/ports/GW1:failed', '/ports/GW2:interrupted']);
    const byPort = Object.fromEntries(o.slots().map((s) => [s.port, s]));
    expect(byPort['/ports/GW0']).toMatchObject({ state: 'failed', failedStep: 'diagnostics' });
    expect(byPort['/ports/GW1']).toMatchObject({ state: 'failed', error: { message: 'boom' } });
    expect(byPort['/ports/GW2']).toBeUndefined();
    await o.stop();
  });

  it('starts at most maxRuns; stop() cancels running runs and waits for them', async () => {
    const watch = fakeWatch();
    const fake = controllable();
    const o = createOrchestrator({ watch, provision: fake.provision, maxRuns: 2 });
    await o.start();
    for (const i of [0, 1, 2]) watch.plug(vport(i));
    await tick();
    expect(fake.calls).toHaveLength(2);
    await o.stop();
    expect(fake.pending.size).toBe(0);
    expect(o.slots().filter((s) => s.state === 'remove-me')).toHaveLength(2);
  });

  it('matches the rules', () => {
    const usb: WatchedPort = { path: '/dev/ttyACM0', source: 'usb', vid: '2fe3', pid: '0100', serialNumber: 'ABC123' };
    expect(matchesRules(usb)).toBe(true);
    expect(matchesRules(usb, { usb: [{ vid: '2FE3' }] })).toBe(true);
    expect(matchesRules(usb, { usb: [{ vid: '2fe3', pid: '0200' }] })).toBe(false);
    expect(matchesRules(usb, { serialPattern: /^ABC/ })).toBe(true);
    expect(matchesRules(usb, { serialPattern: /^XYZ/ })).toBe(false);
    expect(matchesRules(vport(1), { usb: [{ vid: '1234' }] })).toBe(true);
    expect(matchesRules(vport(1), { virtual: false })).toBe(false);
  });
});
