import { describe, expect, it } from 'vitest';
import type { Progress } from '../contract/progress';
import { createProgressBar } from './progress-bar';

const at = (done: number, etaSeconds: number | null = 1): Progress => ({ op: 'image upload', done, total: 4096, bytesPerSecond: 2048, etaSeconds });

function fakeStream(isTTY: boolean): { write(s: string): boolean; isTTY: boolean; text: string } {
  const stream = { isTTY, text: '', write: (s: string) => ((stream.text += s), true) };
  return stream;
}

describe('createProgressBar', () => {
  it('on a terminal redraws one line in place and ends it once', () => {
    const stream = fakeStream(true);
    const bar = createProgressBar({}, { stream });
    for (const done of [0, 1024, 2048, 4096]) bar.show(at(done, done === 4096 ? 0 : null));
    bar.finish();
    bar.finish();
    expect(stream.text.split('\r')).toHaveLength(5);
    expect(stream.text.match(/\n/g)).toHaveLength(1);
    expect(stream.text.endsWith('\n')).toBe(true);
    expect(stream.text).toContain('image upload [##############################] 100% 4.0 KiB/4.0 KiB 2.0 KiB/s ETA 0s');
    expect(stream.text).toContain('  0% 0 B/4.0 KiB 2.0 KiB/s ETA ?');
  });

  it('off a terminal in text mode writes nothing', () => {
    const stream = fakeStream(false);
    const bar = createProgressBar({}, { stream });
    bar.show(at(1024));
    bar.finish();
    expect(stream.text).toBe('');
  });
});
