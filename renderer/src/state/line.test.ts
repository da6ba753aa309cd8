import { describe, expect, it } from 'vitest';
import { lineKpis, lineState, slot } from '../testing/samples';
import { createLineStore, slotOrder } from './line';

describe('line slice', () => {
  it('orders slots by port with numbers in their natural order', () => {
    expect(slotOrder(['/dev/ttyACM10', '/dev/ttyACM2', '/dev/ttyACM1'])).toEqual(['/dev/ttyACM1', '/dev/ttyACM2', '/dev/ttyACM10']);
  });

  it('takes the whole state, then follows slot events: new ones join the order, empty ones leave it', () => {
    const store = createLineStore();
    store.getState().setLine(lineState({ running: true, slots: [slot('/p/B'), slot('/p/A', { state: 'passed' }), slot('/p/C', { state: 'empty' })], kpis: lineKpis() }));
    expect(store.getState().order).toEqual(['/p/A', '/p/B']);
    expect(store.getState().status?.running).toBe(true);
    expect(store.getState().status).not.toHaveProperty('slots');
    const order = store.getState().order;
    store.getState().slotChanged(slot('/p/B', { currentStep: 'identity' }));
    // A change of one slot keeps the order (the grid does not re-render) and replaces that slot only.
    expect(store.getState().order).toBe(order);
    expect(store.getState().slots['/p/B']?.currentStep).toBe('identity');
    store.getState().slotChanged(slot('/p/0'));
    expect(store.getState().order).toEqual(['/p/0', '/p/A', '/p/B']);
    store.getState().slotChanged({ port: '/p/A', state: 'empty' });
    expect(store.getState().order).toEqual(['/p/0', '/p/B']);
    expect(store.getState().slots['/p/A']).toBeUndefined();
  });

  it('the chosen slot toggles, and is dropped when its gateway goes', () => {
    const store = createLineStore();
    store.getState().setLine(lineState({ slots: [slot('/p/A'), slot('/p/B')] }));
    store.getState().toggleTarget('/p/A');
    expect(store.getState().target).toBe('/p/A');
    store.getState().toggleTarget('/p/B');
    expect(store.getState().target).toBe('/p/B');
    store.getState().toggleTarget('/p/B');
    expect(store.getState().target).toBeUndefined();
    store.getState().toggleTarget('/p/A');
    store.getState().slotChanged({ port: '/p/A', state: 'empty' });
    expect(store.getState().target).toBeUndefined();
    store.getState().toggleTarget('/p/B');
    store.getState().setLine(lineState({ slots: [slot('/p/C')] }));
    expect(store.getState().target).toBeUndefined();
  });
});
