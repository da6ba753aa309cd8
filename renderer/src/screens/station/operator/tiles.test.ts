import { describe, expect, it } from 'vitest';
import type { SlotInfo } from '../../../../../main/contract/api';
import { gridColumns, operatorTile, tileOrder, toneFor } from './tiles';

const slot = (over: Partial<SlotInfo> = {}): SlotInfo => ({ port: '/ports/F1E1D00000000001', state: 'provisioning', location: 'virtual/F1E1D00000000001', ...over });
const labels = { 'virtual/F1E1D00000000001': 'A1', '1-1.4': 'B2', '1-1.10': 'A10' };

describe('operatorTile', () => {
  it('names a slot by its fixture label, and by its port while the position has none', () => {
    expect(operatorTile(slot(), labels, undefined)).toMatchObject({ name: 'A1', labelled: true });
    expect(operatorTile(slot({ location: '1-9' }), labels, undefined)).toMatchObject({ name: 'F1E1D00000000001', labelled: false, location: '1-9' });
  });

  it('says PASS, FAIL with the failed step, RUNNING with the step and progress', () => {
    expect(operatorTile(slot({ state: 'passed', runId: 'r' }), labels, 0.4)).toMatchObject({ verdict: 'PASS', progress: undefined, actions: [] });
    expect(operatorTile(slot({ state: 'failed', failedStep: 'diagnostics' }), labels, undefined)).toMatchObject({ verdict: 'FAIL', detail: 'failed at Diagnostics', actions: ['retry'] });
    expect(operatorTile(slot({ currentStep: 'identity' }), labels, 0.4)).toMatchObject({ verdict: 'RUNNING', detail: 'Identity certificate', progress: 0.4, actions: ['stop'] });
    expect(operatorTile(slot({ state: 'failed', failedStep: 'calibrate' }), labels, undefined).detail).toBe('failed at calibrate');
  });

  it('tells a waiting slot, one waiting for its scan, one stopped and one to remove apart', () => {
    expect(operatorTile(slot({ queued: true }), labels, undefined)).toMatchObject({ verdict: 'WAITING', actions: ['stop'] });
    expect(operatorTile(slot({ queued: true, awaitingScan: true }), labels, undefined)).toMatchObject({ verdict: 'SCAN' });
    expect(operatorTile(slot({ state: 'remove-me', outcome: 'cancelled' }), labels, undefined)).toMatchObject({ verdict: 'STOPPED', actions: ['start'] });
    expect(operatorTile(slot({ state: 'remove-me', outcome: 'interrupted', error: { code: 'DEVICE_DISCONNECTED', message: 'gone' } }), labels, undefined)).toMatchObject({
      verdict: 'REMOVE',
      detail: 'gone',
    });
  });
});

describe('tileOrder', () => {
  it('puts labelled positions first in the fixture’s order (A1, A10, B2), the others after by port', () => {
    const slots = [
      { port: '/dev/ttyACM2', location: '1-1.4' },
      { port: '/dev/ttyACM9', location: '1-7' },
      { port: '/dev/ttyACM1', location: '1-1.10' },
      { port: '/ports/F1E1D00000000001', location: 'virtual/F1E1D00000000001' },
      { port: '/dev/ttyACM10' },
    ];
    expect(tileOrder(slots, labels)).toEqual(['/ports/F1E1D00000000001', '/dev/ttyACM1', '/dev/ttyACM2', '/dev/ttyACM9', '/dev/ttyACM10']);
  });
});

describe('toneFor', () => {
  it('sounds once when a run reaches its verdict', () => {
    const running = slot({ runId: 'r1' });
    const passed = slot({ runId: 'r1', state: 'passed' });
    expect(toneFor(running, passed)).toBe('pass');
    expect(toneFor(passed, passed)).toBeUndefined();
    expect(toneFor(running, slot({ runId: 'r1', state: 'failed' }))).toBe('fail');
    // Retried: the next run's verdict sounds again.
    expect(toneFor(slot({ runId: 'r1', state: 'failed' }), slot({ runId: 'r2', state: 'failed' }))).toBe('fail');
  });

  it('is silent for a gateway that passed before this session, and while a run is under way', () => {
    expect(toneFor(undefined, slot({ runId: 'r0', state: 'passed', previous: true }))).toBeUndefined();
    expect(toneFor(undefined, slot({ runId: 'r1' }))).toBeUndefined();
  });
});

describe('gridColumns', () => {
  it('fills a landscape monitor: 8 fixtures in two rows of four', () => {
    expect([1, 2, 4, 6, 8, 12, 16, 24, 64].map(gridColumns)).toEqual([1, 2, 2, 3, 4, 4, 4, 6, 8]);
  });
});
