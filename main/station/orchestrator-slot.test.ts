/** The operator's per-slot controls: Stop cancels one slot's run (or takes it out of the queue), Start/Retry queues it again. */
import { describe, expect, it } from 'vitest';
import type { RunRecord } from '../contract/run-record';
import { isFieldlineError } from '../errors';
import { fakePortWatch } from '../testing/fake-port-watch';
import { orchestratorRunRecord } from '../testing/run-records';
import { createOrchestrator, type Slot } from './orchestrator';
import type { WatchedPort } from './port-watch';

const vport = (n: number): WatchedPort => ({ path: `/ports/GW${n}`, source: 'virtual', serialNumber: `GW${n}`, location: `virtual/GW${n}` });

/** Runs that end when the test says so (or when cancelled), and a wait for a slot to reach a state. */
function setup(concurrency = 8) {
  const watch = fakePortWatch();
  const pending = new Map<string, (outcome: RunRecord['outcome']) => void>();
  const starts: string[] = [];
  const o = createOrchestrator({
    watch,
    concurrency,
    provision: (run) =>
      new Promise((resolve) => {
        starts.push(run.port.path);
        const end = (outcome: RunRecord['outcome']): void => {
          pending.delete(run.port.path);
          resolve(orchestratorRunRecord(run, outcome, outcome === 'failed' ? 'diagnostics' : undefined));
        };
        pending.set(run.port.path, end);
        run.signal.addEventListener('abort', () => end('cancelled'));
      }),
  });
  const slotReaches = (path: string, state: Slot['state']): Promise<Slot> =>
    new Promise((resolve) => {
      const off = o.on('slot', (slot) => {
        if (slot.port === path && slot.state === state && !slot.queued) {
          off();
          resolve(slot);
        }
      });
    });
  return { watch, o, pending, starts, slotReaches };
}

const codeOf = (fn: () => void): string | undefined => {
  try {
    fn();
    return undefined;
  } catch (err) {
    return isFieldlineError(err) ? err.code : 'not a FieldlineError';
  }
};

describe('orchestrator per-slot controls', () => {
  it('Stop cancels one slot’s run and leaves the others running; the slot keeps its location', async () => {
    const t = setup();
    await t.o.start();
    t.watch.plug(vport(1));
    t.watch.plug(vport(2));
    expect(t.starts).toEqual(['/ports/GW1', '/ports/GW2']);
    const stopped = t.slotReaches('/ports/GW1', 'remove-me');
    t.o.stopSlot('/ports/GW1');
    expect(await stopped).toMatchObject({ outcome: 'cancelled', location: 'virtual/GW1' });
    expect(t.pending.has('/ports/GW2')).toBe(true);
    await t.o.stop();
  });

  it('Stop on a waiting slot takes it out of the queue; Start puts it back and it runs', async () => {
    const t = setup(1);
    await t.o.start();
    t.watch.plug(vport(1));
    t.watch.plug(vport(2));
    expect(t.o.slots().find((s) => s.port === '/ports/GW2')).toMatchObject({ queued: true });
    t.o.stopSlot('/ports/GW2');
    expect(t.o.slots().find((s) => s.port === '/ports/GW2')).toMatchObject({ state: 'remove-me', outcome: 'cancelled' });
    const passed = t.slotReaches('/ports/GW1', 'passed');
    t.pending.get('/ports/GW1')!('passed');
    await passed;
    // The stopped slot did not take the free run.
    expect(t.starts).toEqual(['/ports/GW1']);
    t.o.startSlot('/ports/GW2');
    expect(t.starts).toEqual(['/ports/GW1', '/ports/GW2']);
    await t.o.stop();
  });

  it('Retry provisions a failed gateway again without unplugging it', async () => {
    const t = setup();
    await t.o.start();
    t.watch.plug(vport(1));
    const failed = t.slotReaches('/ports/GW1', 'failed');
    t.pending.get('/ports/GW1')!('failed');
    expect(await failed).toMatchObject({ failedStep: 'diagnostics' });
    t.o.startSlot('/ports/GW1');
    expect(t.starts).toEqual(['/ports/GW1', '/ports/GW1']);
    expect(t.o.slots()[0]).toMatchObject({ state: 'provisioning' });
    const passed = t.slotReaches('/ports/GW1', 'passed');
    t.pending.get('/ports/GW1')!('passed');
    expect(await passed).not.toHaveProperty('failedStep');
    await t.o.stop();
  });

  it('refuses Start on a running or passed slot (SLOT_BUSY) and on an unknown one (SLOT_NOT_FOUND)', async () => {
    const t = setup();
    await t.o.start();
    t.watch.plug(vport(1));
    expect(codeOf(() => t.o.startSlot('/ports/GW1'))).toBe('SLOT_BUSY');
    const passed = t.slotReaches('/ports/GW1', 'passed');
    t.pending.get('/ports/GW1')!('passed');
    await passed;
    expect(codeOf(() => t.o.startSlot('/ports/GW1'))).toBe('SLOT_BUSY');
    // Stop on a slot that is not running changes nothing.
    t.o.stopSlot('/ports/GW1');
    expect(t.o.slots()[0]).toMatchObject({ state: 'passed' });
    expect(codeOf(() => t.o.startSlot('/ports/GW9'))).toBe('SLOT_NOT_FOUND');
    expect(codeOf(() => t.o.stopSlot('/ports/GW9'))).toBe('SLOT_NOT_FOUND');
    await t.o.stop();
  });
});
