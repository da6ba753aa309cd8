import { describe, expect, it } from 'vitest';
import { createScanBook, NEXT_SLOT } from './scan-book';

const serial = (value: string) => ({ kind: 'serial' as const, value });
const variable = (name: string, value: string) => ({ kind: 'variable' as const, name, value });
const AT = '2026-01-01T08:00:00.000Z';

describe('scan book', () => {
  it('gives a gateway its own slot’s serial first, then a next serial naming its port serial, then the oldest unclaimed one', () => {
    const book = createScanBook();
    book.add(NEXT_SLOT, serial('A'), AT);
    book.add(NEXT_SLOT, serial('C'), AT);
    book.add(NEXT_SLOT, serial('b-2'), AT);
    book.add('/p/own', serial('OWN'), AT);
    const p1 = { path: '/p/1' };
    const p2 = { path: '/p/2', serialNumber: 'B-2' };
    const own = { path: '/p/own', serialNumber: 'A' };
    const waiting = [p1, p2, own];
    expect(book.serialFor(own, waiting)?.binding).toEqual(serial('OWN'));
    // P2's port says B-2: the label b-2 is its, though C (claimed by no one) was scanned before it.
    expect(book.serialFor(p2, waiting)?.binding).toEqual(serial('b-2'));
    // P1 takes the oldest next serial no other waiting gateway's port names: A names `own`, b-2 names P2.
    expect(book.serialFor(p1, waiting)?.binding).toEqual(serial('C'));
    expect(book.take(p2, waiting)).toEqual({ serial: 'b-2' });
    expect(book.list().map((p) => p.binding)).toEqual([serial('A'), serial('C'), serial('OWN')]);
    // Alone in line, P1 takes the oldest next serial.
    expect(book.serialFor(p1, [p1])?.binding).toEqual(serial('A'));
  });

  it('hands every next variable and the slot’s own to the gateway that starts, its own winning, and removes them', () => {
    const book = createScanBook();
    book.add(NEXT_SLOT, variable('site', 'MUC-1'), AT);
    book.add(NEXT_SLOT, variable('interval', '30'), AT);
    book.add('/p/1', variable('site', 'HAM-2'), AT);
    book.add('/p/2', variable('site', 'BER-3'), AT);
    expect(book.ownBindings('/p/1')).toEqual({ variables: { site: 'HAM-2' } });
    expect(book.take({ path: '/p/1' }, [])).toEqual({ variables: { site: 'HAM-2', interval: '30' } });
    expect(book.list().map((p) => p.slot)).toEqual(['/p/2']);
    expect(book.take({ path: '/p/3' }, [])).toEqual({});
  });

  it('counts a label read twice once, moves it to a newly chosen slot, and keeps one serial per chosen slot', () => {
    const book = createScanBook();
    book.add(NEXT_SLOT, serial('GW1'), AT);
    book.add(NEXT_SLOT, serial('gw1'), AT);
    expect(book.list()).toHaveLength(1);
    book.add('/p/4', serial('GW1'), AT);
    expect(book.list().map((p) => [p.slot, p.binding])).toEqual([['/p/4', serial('GW1')]]);
    book.add('/p/4', serial('GW2'), AT);
    expect(book.list().map((p) => [p.slot, p.binding])).toEqual([['/p/4', serial('GW2')]]);
    book.add('/p/4', variable('site', 'A-1'), AT);
    book.add('/p/4', variable('site', 'B-2'), AT);
    expect(book.ownBindings('/p/4')).toEqual({ serial: 'GW2', variables: { site: 'B-2' } });
    expect(book.ownBindings('/p/5')).toBeUndefined();
  });
});
