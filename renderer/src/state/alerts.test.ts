import { describe, expect, it } from 'vitest';
import { describeError } from '../../../main/contract/errors';
import { createAlertsStore, MAX_ALERTS } from './alerts';

describe('alerts slice', () => {
  it('keeps the contract words and hint of a failure', () => {
    const store = createAlertsStore();
    store.getState().push('Provision GW-1', describeError('PORT_BUSY', '/dev/ttyACM0'));
    const [alert] = store.getState().alerts;
    expect(alert?.error.message).toBe('The serial port is in use by another program: /dev/ttyACM0');
    expect(alert?.error.hint).toMatch(/close the other program/);
    expect(alert?.context).toBe('Provision GW-1');
  });

  it('counts a repeated failure instead of stacking it, and bounds the list', () => {
    const store = createAlertsStore();
    for (let i = 0; i < 3; i += 1) store.getState().push('Sync now', describeError('REGISTRY_UNREACHABLE'));
    expect(store.getState().alerts).toHaveLength(1);
    expect(store.getState().alerts[0]?.count).toBe(3);
    for (let i = 0; i < MAX_ALERTS + 3; i += 1) store.getState().push(`ctx ${i}`, describeError('INTERNAL'));
    expect(store.getState().alerts).toHaveLength(MAX_ALERTS);
    expect(store.getState().alerts.at(-1)?.context).toBe(`ctx ${MAX_ALERTS + 2}`);
  });

  it('dismisses one, clears a context that succeeded later, or clears all', () => {
    const store = createAlertsStore();
    store.getState().push('A', describeError('INTERNAL'));
    store.getState().push('B', describeError('INTERNAL'));
    store.getState().push('C', describeError('INTERNAL'));
    const first = store.getState().alerts[0];
    store.getState().dismiss(first?.id ?? -1);
    store.getState().clearContext('B');
    expect(store.getState().alerts.map((a) => a.context)).toEqual(['C']);
    store.getState().clear();
    expect(store.getState().alerts).toEqual([]);
  });
});
