/** The console's pure state: shell history, the bounded transcript, device paths, slot actions, base64. */
import { describe, expect, it } from 'vitest';
import type { ConsoleSlot } from '../../../../../main/contract/api';
import {
  appendTranscript,
  baseName,
  childPath,
  emptyHistory,
  fromBase64,
  HISTORY_MAX,
  historyDown,
  historyUp,
  parentPath,
  remember,
  slotActions,
  toBase64,
  type TranscriptEntry,
} from './console-state';

describe('shell history', () => {
  it('walks back with up, forward with down, and gives the typed draft back past the newest', () => {
    let h = remember(remember(emptyHistory, 'fs ls /lfs'), 'kernel uptime');
    let step = historyUp(h, 'half-typ');
    expect(step.text).toBe('kernel uptime');
    step = historyUp(step.history, step.text);
    expect(step.text).toBe('fs ls /lfs');
    // At the oldest, up stays there.
    step = historyUp(step.history, step.text);
    expect(step.text).toBe('fs ls /lfs');
    step = historyDown(step.history, step.text);
    expect(step.text).toBe('kernel uptime');
    step = historyDown(step.history, step.text);
    expect(step.text).toBe('half-typ');
    expect(step.history.cursor).toBeUndefined();
    h = step.history;
    // Down at the prompt changes nothing; up on an empty history neither.
    expect(historyDown(h, 'x').text).toBe('x');
    expect(historyUp(emptyHistory, 'y').text).toBe('y');
  });

  it('keeps a command once when it is run twice in a row, ignores blank lines, and keeps at most HISTORY_MAX', () => {
    let h = remember(remember(remember(emptyHistory, 'a'), 'a '), '   ');
    expect(h.entries).toEqual(['a']);
    for (let i = 0; i < HISTORY_MAX + 5; i++) h = remember(h, `c${i}`);
    expect(h.entries).toHaveLength(HISTORY_MAX);
    expect(h.entries.at(-1)).toBe(`c${HISTORY_MAX + 4}`);
  });
});

describe('shell transcript', () => {
  const entry = (id: number, output: string): TranscriptEntry => ({ id, command: 'x', output, ret: 0, truncated: false });

  it('drops the oldest entries once over the bound, never the newest', () => {
    let t: TranscriptEntry[] = [];
    for (let i = 0; i < 5; i++) t = appendTranscript(t, entry(i, 'y'.repeat(9)), 30);
    expect(t.map((e) => e.id)).toEqual([2, 3, 4]);
    expect(appendTranscript(t, entry(9, 'z'.repeat(100)), 30).map((e) => e.id)).toEqual([9]);
  });
});

describe('device paths', () => {
  it('goes into a folder and back up to /', () => {
    expect(childPath('/lfs', 'config')).toBe('/lfs/config');
    expect(childPath('/', 'lfs')).toBe('/lfs');
    expect(parentPath('/lfs/config')).toBe('/lfs');
    expect(parentPath('/lfs')).toBe('/');
    expect(parentPath('/')).toBe('/');
    expect(baseName('/lfs/config/site.json')).toBe('site.json');
  });
});

describe('slot actions', () => {
  const slot = (s: Partial<ConsoleSlot>): ConsoleSlot => ({ image: 0, slot: 0, version: '1.0.0', bootable: true, pending: false, confirmed: false, active: false, permanent: false, ...s });

  it('never offers to erase or test the running image; confirms it while unconfirmed', () => {
    expect(slotActions(slot({ active: true, confirmed: true, hash: 'aa' }))).toEqual([]);
    expect(slotActions(slot({ active: true, confirmed: false, hash: 'aa' }))).toEqual(['confirm']);
  });

  it('offers test and erase for an uploaded image, confirm and erase once it is pending', () => {
    expect(slotActions(slot({ slot: 1, hash: 'bb' }))).toEqual(['test', 'erase']);
    expect(slotActions(slot({ slot: 1, hash: 'bb', pending: true }))).toEqual(['confirm', 'erase']);
    expect(slotActions(slot({ slot: 1 }))).toEqual(['erase']);
  });
});

describe('base64', () => {
  it('round-trips any bytes and matches the standard encoding', () => {
    const bytes = Uint8Array.from({ length: 259 }, (_, i) => (i * 37) & 0xff);
    for (const n of [0, 1, 2, 3, 4, 259]) {
      const part = bytes.slice(0, n);
      expect(toBase64(part)).toBe(btoa(String.fromCharCode(...part)));
      expect(fromBase64(toBase64(part))).toEqual(part);
    }
  });
});
