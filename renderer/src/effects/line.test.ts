import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fail } from '../../../main/contract/result';
import { alertsStore } from '../state/alerts';
import { lineStore } from '../state/line';
import { profilesStore } from '../state/profiles';
import { createFakeApi, manualFrames, settle, type FakeApi } from '../testing/fake-api';
import { resetStores } from '../testing/reset';
import { kpi, lineKpis, lineState, profileDetails, profileItem, RUN_A, slot } from '../testing/samples';
import { loadLine, printLabel, sendScan, startLine, stopLine } from './line';
import { startEffects } from './start';
import type { KeyLike, KeySource } from './wedge';

const eu = profileItem('gateway-eu.yaml');
const other = profileItem('other.yaml');

/** A window stand-in whose keydown listeners the test drives. */
function keySource(): KeySource & { type(text: string, target?: unknown): void } {
  const listeners = new Set<(e: KeyLike) => void>();
  return {
    addEventListener: (_t, fn) => void listeners.add(fn),
    removeEventListener: (_t, fn) => void listeners.delete(fn),
    type(text, target = { tagName: 'BODY' }) {
      for (const key of [...text, 'Enter']) for (const l of listeners) l({ key, target, preventDefault() {} });
    },
  };
}

let fake: FakeApi;
let keys: ReturnType<typeof keySource>;
let stop: (() => void) | undefined;

beforeEach(async () => {
  resetStores();
  fake = createFakeApi({
    'profiles:list': () => [eu, other],
    'profiles:get': ({ path }) => profileDetails(path === eu.path ? eu : other),
    'line:state': () => lineState({ slots: [slot('/ports/GW1', { state: 'passed', runId: RUN_A })] }),
  });
  keys = keySource();
  stop = startEffects(fake.api, { schedule: manualFrames().schedule, keys });
  await settle();
  alertsStore.getState().clear();
});
afterEach(() => stop?.());

describe('line effects', () => {
  it('reads the line at start, and follows its events', async () => {
    expect(lineStore.getState().order).toEqual(['/ports/GW1']);
    fake.emit('line:slot', slot('/ports/GW2', { currentStep: 'identify' }));
    fake.emit('line:kpis', lineKpis({ session: kpi({ units: 3, passed: 2, failed: 1 }) }));
    const { slots: _slots, kpis: _kpis, ...status } = lineState({ running: true });
    fake.emit('line:status', status);
    expect(lineStore.getState().order).toEqual(['/ports/GW1', '/ports/GW2']);
    expect(lineStore.getState().kpis?.session.units).toBe(3);
    expect(lineStore.getState().status?.running).toBe(true);
    stop?.();
    stop = undefined;
    expect(fake.listenerCount('line:slot')).toBe(0);
    expect(fake.listenerCount('line:kpis')).toBe(0);
  });

  it('starts with the batch profile and its variables (or the one picked here), and stops', async () => {
    fake.handlers['line:start'] = (request) => lineState({ running: true, concurrency: request.concurrency ?? 8 });
    fake.handlers['line:stop'] = () => lineState();
    profilesStore.getState().setVariable(eu.path, 'site', 'ABC-9');
    lineStore.getState().choose({ concurrency: 4, requireScan: true });
    expect(await startLine()).toBe(true);
    expect(fake.calls.find((c) => c.method === 'line:start')?.args).toEqual([{ profilePath: eu.path, concurrency: 4, variables: { site: 'ABC-9' }, requireScan: true }]);
    expect(lineStore.getState().status).toMatchObject({ running: true, concurrency: 4 });
    expect(lineStore.getState().starting).toBe(false);
    lineStore.getState().choose({ profilePath: other.path, requireScan: false });
    await startLine();
    expect(fake.calls.filter((c) => c.method === 'line:start').at(-1)?.args).toEqual([{ profilePath: other.path, concurrency: 4, variables: {} }]);
    expect(await stopLine()).toBe(true);
    expect(lineStore.getState().status?.running).toBe(false);
  });

  it('asks for a rework (keep or replace) only when the technician chose that mode', async () => {
    fake.handlers['line:start'] = (request) => lineState({ running: true, ...(request.rework ? { rework: request.rework } : {}) });
    expect(lineStore.getState().choice.rework).toBeUndefined();
    await startLine();
    expect(fake.calls.filter((c) => c.method === 'line:start').at(-1)?.args[0]).not.toHaveProperty('rework');
    lineStore.getState().choose({ rework: 'keep' });
    await startLine();
    expect(fake.calls.filter((c) => c.method === 'line:start').at(-1)?.args).toEqual([{ profilePath: eu.path, concurrency: 8, variables: {}, rework: 'keep' }]);
    expect(lineStore.getState().status?.rework).toBe('keep');
  });

  it('a refused start is an alert in words', async () => {
    fake.handlers['line:start'] = () => fail('LINE_RUNNING');
    expect(await startLine()).toBe(false);
    expect(alertsStore.getState().alerts[0]?.error.code).toBe('LINE_RUNNING');
  });

  it('a scanner burst with no field focused binds to the next gateway; typing into a field does not', async () => {
    fake.handlers['line:scan'] = ({ text }) => ({ slot: 'next', binding: { kind: 'serial', value: text } });
    keys.type('F1E1D00000000101');
    await settle();
    expect(fake.calls.filter((c) => c.method === 'line:scan').map((c) => c.args[0])).toEqual([{ text: 'F1E1D00000000101' }]);
    expect(lineStore.getState().lastScan).toMatchObject({ text: 'F1E1D00000000101', slot: 'next', binding: { kind: 'serial', value: 'F1E1D00000000101' } });
    keys.type('F1E1D00000000102', { tagName: 'INPUT', type: 'text' });
    await settle();
    expect(fake.calls.filter((c) => c.method === 'line:scan')).toHaveLength(1);
  });

  it('a scan for a chosen slot names it, and the choice is spent', async () => {
    fake.handlers['line:scan'] = ({ text, slot: s }) => ({ slot: s ?? 'next', binding: { kind: 'variable', name: 'site', value: text.split('=')[1] ?? '' } });
    lineStore.getState().toggleTarget('/ports/GW1');
    expect(await sendScan(' site=LAB-2 ')).toBe(true);
    expect(fake.calls.find((c) => c.method === 'line:scan')?.args).toEqual([{ text: 'site=LAB-2', slot: '/ports/GW1' }]);
    expect(lineStore.getState().target).toBeUndefined();
    expect(lineStore.getState().lastScan?.slot).toBe('/ports/GW1');
    expect(await sendScan('   ')).toBe(false);
  });

  it('a refused scan is kept with its reason for the Station screen, and alerted', async () => {
    fake.handlers['line:scan'] = () => fail('SCAN_SLOT_BUSY', '/ports/GW1 is provisioning');
    lineStore.getState().toggleTarget('/ports/GW1');
    expect(await sendScan('F1E1D00000000101')).toBe(false);
    expect(lineStore.getState().lastScan?.error).toMatchObject({ code: 'SCAN_SLOT_BUSY', hint: expect.any(String) });
    // Refused: the choice stays for the corrected scan.
    expect(lineStore.getState().target).toBe('/ports/GW1');
    expect(alertsStore.getState().alerts[0]?.error.code).toBe('SCAN_SLOT_BUSY');
  });

  it('prints a label once at a time, and remembers it for Reprint', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    fake.handlers['runs:print-label'] = async ({ runId }) => {
      await gate;
      return { runId, serial: 'GW-1', target: 'printer:10.0.0.9:9100', bytes: 812, sha256: 'a'.repeat(64) };
    };
    const first = printLabel(RUN_A);
    expect(await printLabel(RUN_A)).toBe(false);
    expect(lineStore.getState().printing[RUN_A]).toBe(true);
    release();
    expect(await first).toBe(true);
    expect(lineStore.getState().labels[RUN_A]).toMatchObject({ target: 'printer:10.0.0.9:9100', bytes: 812 });
    expect(lineStore.getState().printing).toEqual({});
    expect(fake.calls.filter((c) => c.method === 'runs:print-label')).toHaveLength(1);
  });

  it('entering the Station screen reads the line again', async () => {
    const before = fake.calls.filter((c) => c.method === 'line:state').length;
    await loadLine();
    expect(fake.calls.filter((c) => c.method === 'line:state').length).toBe(before + 1);
  });
});
