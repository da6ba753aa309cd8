/** Barcode scans through the orchestrator: bound to the next or a chosen slot, and gateways that wait for them. */
import { describe, expect, it } from 'vitest';
import { FieldlineError } from '../errors';
import type { RunRecord } from '../contract/run-record';
import { fakePortWatch } from '../testing/fake-port-watch';
import { createOrchestrator, type OrchestratorOptions, type PendingScan, type RunStart, type Slot } from './orchestrator';
import type { WatchedPort } from './port-watch';

const vport = (n: number, serialNumber: string | undefined = `GW${n}`): WatchedPort => ({
  path: `/ports/P${n}`,
  source: 'virtual',
  ...(serialNumber !== undefined ? { serialNumber } : {}),
});
const tick = (): Promise<void> => new Promise((r) => setTimeout(r, 5));

function errorCode(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (err instanceof FieldlineError) return err.code;
    throw err;
  }
  throw new Error('expected a FieldlineError');
}

/** An orchestrator over a fake watch whose runs end when the test says so; every RunStart is kept. */
async function station(options: Partial<OrchestratorOptions> = {}) {
  const watch = fakePortWatch();
  const starts: RunStart[] = [];
  const enders = new Map<string, (outcome: RunRecord['outcome']) => void>();
  const o = createOrchestrator({
    watch,
    variables: { site: 'DEV-1', interval: '60' },
    ...options,
    provision: (run) =>
      new Promise((resolve) => {
        starts.push(run);
        const end = (outcome: RunRecord['outcome']): void => {
          enders.delete(run.port.path);
          resolve({
            id: run.runId,
            device: { serial: run.expectedSerial ?? 'X', port: run.port.path },
            profile: { name: 'p', version: '1', sha256: '' },
            station: { name: 's' },
            variables: run.variables,
            startedAt: new Date().toISOString(),
            endedAt: new Date().toISOString(),
            outcome,
            steps: [],
            diagnostics: [],
          });
        };
        enders.set(run.port.path, end);
        run.signal.addEventListener('abort', () => end('cancelled'));
      }),
  });
  const slotEvents: Slot[] = [];
  const scanEvents: PendingScan[] = [];
  o.on('slot', (s) => slotEvents.push(s));
  o.on('scan', (s) => scanEvents.push(s));
  await o.start();
  const slot = (n: number): Slot | undefined => o.slots().find((s) => s.port === `/ports/P${n}`);
  return { watch, o, starts, enders, slotEvents, scanEvents, slot };
}

describe('orchestrator scans', () => {
  it('binds a scan to the next gateway to start: its serial is expected, its variables go over the batch’s', async () => {
    const t = await station();
    expect(t.o.bindScan('site=MUC-3\r\n')).toEqual({ slot: 'next', binding: { kind: 'variable', name: 'site', value: 'MUC-3' } });
    expect(t.o.bindScan('e3a1c0ffee01\r')).toEqual({ slot: 'next', binding: { kind: 'serial', value: 'e3a1c0ffee01' } });
    expect(t.o.pendingScans().map((p) => [p.slot, p.binding.kind])).toEqual([
      ['next', 'variable'],
      ['next', 'serial'],
    ]);
    expect(t.scanEvents).toHaveLength(2);
    expect(t.scanEvents[1]).toMatchObject({ slot: 'next', binding: { kind: 'serial', value: 'e3a1c0ffee01' }, at: expect.any(String) });

    t.watch.plug(vport(1));
    await tick();
    expect(t.starts).toHaveLength(1);
    expect(t.starts[0]).toMatchObject({ expectedSerial: 'e3a1c0ffee01', variables: { site: 'MUC-3', interval: '60' } });
    expect(t.slot(1)).toMatchObject({ state: 'provisioning', bindings: { serial: 'e3a1c0ffee01', variables: { site: 'MUC-3' } } });
    expect(t.o.pendingScans()).toEqual([]);

    // Taken once: the next gateway gets the batch's variables and no expected serial.
    t.watch.plug(vport(2));
    await tick();
    expect(t.starts[1]!.expectedSerial).toBeUndefined();
    expect(t.starts[1]!.variables).toEqual({ site: 'DEV-1', interval: '60' });
    expect(t.slot(2)!.bindings).toBeUndefined();

    t.enders.get('/ports/P1')!('passed');
    await tick();
    // The finished slot still shows what its label said.
    expect(t.slot(1)).toMatchObject({ state: 'passed', bindings: { serial: 'e3a1c0ffee01' } });
    await t.o.stop();
  });

  it('binds a scan to a chosen slot, not to another gateway that starts first; a running slot is SCAN_SLOT_BUSY', async () => {
    const t = await station();
    expect(t.o.bindScan('GW-LABEL-2', '/ports/P2')).toMatchObject({ slot: '/ports/P2' });
    t.watch.plug(vport(1));
    t.watch.plug(vport(2));
    await tick();
    const byPort = new Map(t.starts.map((s) => [s.port.path, s]));
    expect(byPort.get('/ports/P1')!.expectedSerial).toBeUndefined();
    expect(byPort.get('/ports/P2')!.expectedSerial).toBe('GW-LABEL-2');
    expect(errorCode(() => t.o.bindScan('GW-OTHER', '/ports/P2'))).toBe('SCAN_SLOT_BUSY');
    expect(t.o.pendingScans()).toEqual([]);
    // A chosen slot takes the last serial scanned for it (a rescan corrects a wrong label).
    t.o.bindScan('FIRST', '/ports/P3');
    t.o.bindScan('SECOND', '/ports/P3');
    expect(t.o.pendingScans().map((p) => p.binding)).toEqual([{ kind: 'serial', value: 'SECOND' }]);
    await t.o.stop();
  });

  it('with requireScan, gateways wait (queued, awaitingScan) until a serial is scanned for them', async () => {
    const t = await station({ requireScan: true });
    t.watch.plug(vport(1, undefined));
    t.watch.plug(vport(2, undefined));
    t.watch.plug(vport(3, 'LABEL-3'));
    await tick();
    expect(t.starts).toHaveLength(0);
    expect(t.o.slots().every((s) => s.state === 'provisioning' && s.queued && s.awaitingScan)).toBe(true);

    // A variable alone does not start anything, and shows on the chosen slot.
    t.o.bindScan('site=HAM-2', '/ports/P2');
    await tick();
    expect(t.starts).toHaveLength(0);
    expect(t.slot(2)).toMatchObject({ queued: true, awaitingScan: true, bindings: { variables: { site: 'HAM-2' } } });

    // A label naming a waiting gateway's own serial goes to that gateway, not to the first in line.
    t.o.bindScan('label-3');
    await tick();
    expect(t.starts.map((s) => [s.port.path, s.expectedSerial])).toEqual([['/ports/P3', 'label-3']]);
    // Any other serial goes to the first gateway waiting.
    t.o.bindScan('SER-A');
    await tick();
    expect(t.starts.at(-1)).toMatchObject({ port: { path: '/ports/P1' }, expectedSerial: 'SER-A', variables: { site: 'DEV-1' } });
    expect(t.slot(2)).toMatchObject({ queued: true, awaitingScan: true });
    t.o.bindScan('SER-B', '/ports/P2');
    await tick();
    expect(t.starts.at(-1)).toMatchObject({ port: { path: '/ports/P2' }, expectedSerial: 'SER-B', variables: { site: 'HAM-2' } });
    // The slot left the queue: no longer awaiting.
    expect(t.slot(2)!.awaitingScan).toBeUndefined();
    expect(t.slotEvents.some((s) => s.port === '/ports/P2' && s.awaitingScan === true)).toBe(true);
    await t.o.stop();
  });

  it('with requireScan and a concurrency limit, a scanned gateway still waits for a free run, then starts', async () => {
    const t = await station({ requireScan: true, concurrency: 1 });
    t.watch.plug(vport(1, undefined));
    t.watch.plug(vport(2, undefined));
    t.o.bindScan('SER-1');
    t.o.bindScan('SER-2');
    await tick();
    expect(t.starts.map((s) => s.expectedSerial)).toEqual(['SER-1']);
    expect(t.slot(2)).toMatchObject({ queued: true });
    expect(t.slot(2)!.awaitingScan).toBeUndefined();
    t.enders.get('/ports/P1')!('passed');
    await tick();
    expect(t.starts.map((s) => s.expectedSerial)).toEqual(['SER-1', 'SER-2']);
    await t.o.stop();
  });

  it('keeps a label that names a waiting gateway for it; frees it when that gateway is unplugged', async () => {
    const t = await station({ requireScan: true });
    t.watch.plug(vport(1, undefined));
    t.watch.plug(vport(2, 'OWN-2'));
    await tick();
    // The board whose port reports OWN-2 is gone before its label is scanned: the label goes to the gateway left.
    t.watch.unplug('/ports/P2');
    t.o.bindScan('OWN-2');
    await tick();
    expect(t.starts.map((s) => [s.port.path, s.expectedSerial])).toEqual([['/ports/P1', 'OWN-2']]);
    await t.o.stop();

    const u = await station({ requireScan: true, concurrency: 1 });
    u.watch.plug(vport(9, undefined)); // takes the one run
    u.o.bindScan('RUNNING', '/ports/P9');
    await tick();
    u.watch.plug(vport(1, undefined));
    u.watch.plug(vport(2, 'OWN-2'));
    u.o.bindScan('OWN-2');
    await tick();
    expect(u.slot(1)).toMatchObject({ awaitingScan: true });
    expect(u.slot(2)!.awaitingScan).toBeUndefined();
    u.watch.unplug('/ports/P2');
    await tick();
    expect(u.slot(1)!.awaitingScan).toBeUndefined();
    u.enders.get('/ports/P9')!('passed');
    await tick();
    expect(u.starts.map((s) => [s.port.path, s.expectedSerial])).toEqual([
      ['/ports/P9', 'RUNNING'],
      ['/ports/P1', 'OWN-2'],
    ]);
    await u.o.stop();
  });

  it('refuses bad scans, a label already being provisioned and variables the profile would refuse, binding nothing', async () => {
    const t = await station({
      checkVariables: (vars) => {
        if (!/^[A-Z]{3}-[0-9]+$/.test(vars.site ?? '')) throw new FieldlineError('TEMPLATE_VARIABLE_INVALID', `site=${JSON.stringify(vars.site)} does not match`);
        if (Object.keys(vars).some((k) => k !== 'site' && k !== 'interval')) throw new FieldlineError('TEMPLATE_VARIABLE_INVALID', 'not declared');
      },
    });
    expect(errorCode(() => t.o.bindScan('\r\n'))).toBe('SCAN_INVALID');
    expect(errorCode(() => t.o.bindScan('01\u001d21X'))).toBe('SCAN_INVALID');
    expect(errorCode(() => t.o.bindScan('site=munich'))).toBe('TEMPLATE_VARIABLE_INVALID');
    expect(errorCode(() => t.o.bindScan('colour=red'))).toBe('TEMPLATE_VARIABLE_INVALID');
    expect(t.o.pendingScans()).toEqual([]);
    expect(t.scanEvents).toEqual([]);

    t.o.bindScan('GW-7');
    t.o.bindScan('gw-7'); // a double read of one label is one scan
    expect(t.o.pendingScans()).toHaveLength(1);
    t.watch.plug(vport(1));
    await tick();
    expect(t.starts[0]!.expectedSerial).toBe('gw-7');
    // Scanning the label again while its board is provisioning would leave a serial waiting for a board that never comes.
    expect(errorCode(() => t.o.bindScan('GW-7'))).toBe('SCAN_INVALID');
    expect(t.o.pendingScans()).toEqual([]);
    await t.o.stop();
  });
});
