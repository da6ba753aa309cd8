import { describe, expect, it } from 'vitest';
import { createSelectionStore, selectable, toProvision } from './selection';

describe('the Devices selection', () => {
  it('ticks, unticks and drops without touching the other ticks', () => {
    const store = createSelectionStore();
    store.getState().toggle('a', true);
    store.getState().toggle('b', true);
    const before = store.getState().ids;
    store.getState().toggle('a', true);
    expect(store.getState().ids).toBe(before);
    store.getState().drop(['a', 'zz']);
    expect(store.getState().ids).toEqual({ b: true });
    store.getState().setAll(['c', 'd']);
    expect(store.getState().ids).toEqual({ c: true, d: true });
  });

  it('provisions the ticked gateways that can start, in the list’s order', () => {
    const byId = { a: { state: 'idle' as const }, b: { state: 'provisioning' as const }, c: { state: 'failed' as const }, d: { state: 'gone' as const }, e: { state: 'passed' as const } };
    const ids = { e: true, a: true, b: true, c: true, d: true } as const;
    expect(toProvision(['a', 'b', 'c', 'd', 'e', 'missing'], { ...ids, missing: true }, byId, { c: true })).toEqual(['a', 'e']);
    expect(selectable(undefined, false)).toBe(false);
  });
});
