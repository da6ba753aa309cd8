import { describe, expect, it } from 'vitest';
import { createWedgeDetector, isTextField, listenForScans, type KeyLike, type KeySource } from './wedge';

function keys(timed: Array<[number, string]>, target: unknown = { tagName: 'BODY' }, options = {}): { scans: string[]; prevented: string[] } {
  let t = 0;
  const scans: string[] = [];
  const prevented: string[] = [];
  const detector = createWedgeDetector((s) => scans.push(s), { now: () => t, ...options });
  for (const [at, key] of timed) {
    t = at;
    detector.key({ key, target, preventDefault: () => prevented.push(key) });
  }
  return { scans, prevented };
}

/** A scanner: one key every `gap` ms from `start`, then Enter. */
const burst = (text: string, start = 0, gap = 8): Array<[number, string]> => [...[...text].map((c, i): [number, string] => [start + i * gap, c]), [start + text.length * gap, 'Enter']];

describe('keyboard-wedge scans', () => {
  it('recognizes a fast burst ended by Enter, and swallows that Enter', () => {
    expect(keys(burst('F1E1D00000000101'))).toEqual({ scans: ['F1E1D00000000101'], prevented: ['Enter'] });
    // Shift for capitals does not break a burst.
    expect(keys([[0, 'Shift'], [3, 'S'], [6, 'Shift'], [9, 'N'], [12, '1'], [15, 'Enter']]).scans).toEqual(['SN1']);
  });

  it('ignores a person typing, even ending with Enter, and leaves their Enter alone', () => {
    expect(keys(burst('abc', 0, 120))).toEqual({ scans: [], prevented: [] });
    // Slow keys, then a fast tail: only the fast part would count, and it is too short.
    expect(keys([[0, 'h'], [200, 'e'], [400, 'l'], [405, 'Enter']]).scans).toEqual([]);
    // A burst whose Enter comes late is not a scan either.
    expect(keys([[0, 'a'], [5, 'b'], [10, 'c'], [300, 'Enter']]).scans).toEqual([]);
  });

  it('keeps a scan whose one key came late (a busy machine), and refuses a fast typist', () => {
    const hiccup: Array<[number, string]> = [...'F1E1D00000000101'].map((c, i): [number, string] => [i * 6 + (i >= 8 ? 70 : 0), c]);
    expect(keys([...hiccup, [16 * 6 + 70, 'Enter']]).scans).toEqual(['F1E1D00000000101']);
    // 90 ms a key, Enter included: every gap is short enough to continue, the average is a person's.
    expect(keys(burst('GW-42', 0, 90)).scans).toEqual([]);
  });

  it('starts again after a pause: two labels are two scans', () => {
    expect(keys([...burst('AAA1'), ...burst('BBB2', 1000)]).scans).toEqual(['AAA1', 'BBB2']);
  });

  it('leaves keys to a focused text field, and shortcuts alone', () => {
    expect(keys(burst('F1E1D00000000101'), { tagName: 'INPUT', type: 'text' }).scans).toEqual([]);
    expect(keys(burst('F1E1D00000000101'), { tagName: 'TEXTAREA' }).scans).toEqual([]);
    expect(keys(burst('F1E1D00000000101'), { tagName: 'DIV', isContentEditable: true }).scans).toEqual([]);
    // A focused button or checkbox is no text field: the scan counts (and its Enter does not press the button).
    expect(keys(burst('F1E1D00000000101'), { tagName: 'BUTTON' }).prevented).toEqual(['Enter']);
    expect(keys(burst('F1E1D00000000101'), { tagName: 'INPUT', type: 'checkbox' }).scans).toHaveLength(1);
    let t = 0;
    const scans: string[] = [];
    const d = createWedgeDetector((s) => scans.push(s), { now: () => t });
    for (const key of ['a', 'b', 'c']) d.key({ key, ctrlKey: key === 'b', preventDefault() {} });
    t = 5;
    d.key({ key: 'Enter', preventDefault() {} });
    expect(scans).toEqual([]);
  });

  it('drops a burst longer than a label, and one broken by a non-character key', () => {
    expect(keys(burst('x'.repeat(20)), undefined, { maxLength: 10 }).scans).toEqual([]);
    expect(keys([[0, 'a'], [4, 'b'], [8, 'ArrowLeft'], [12, 'c'], [16, 'Enter']]).scans).toEqual([]);
  });

  it('listens in the capture phase and stops listening', () => {
    const listeners: Array<{ fn: (e: KeyLike) => void; capture: boolean }> = [];
    const source: KeySource = {
      addEventListener: (_t, fn, capture) => void listeners.push({ fn, capture }),
      removeEventListener: (_t, fn) => void listeners.splice(listeners.findIndex((l) => l.fn === fn), 1),
    };
    const stop = listenForScans(source, () => {});
    expect(listeners.map((l) => l.capture)).toEqual([true]);
    stop();
    expect(listeners).toEqual([]);
  });

  it('knows text fields from other elements', () => {
    expect(isTextField({ tagName: 'input' })).toBe(true);
    expect(isTextField({ tagName: 'INPUT', type: 'search' })).toBe(true);
    expect(isTextField({ tagName: 'SELECT' })).toBe(true);
    expect(isTextField({ tagName: 'A' })).toBe(false);
    expect(isTextField(null)).toBe(false);
  });
});
