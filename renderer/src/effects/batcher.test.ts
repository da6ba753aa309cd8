import { describe, expect, it } from 'vitest';
import { manualFrames } from '../testing/fake-api';
import { createBatcher } from './batcher';

interface Item {
  run: string;
  kind: 'progress' | 'step';
  n: number;
}

function setup(maxQueue?: number) {
  const frames = manualFrames();
  const applied: Item[][] = [];
  const batcher = createBatcher<Item>((items) => applied.push(items), {
    schedule: frames.schedule,
    groupOf: (i) => i.run,
    coalesceKey: (i) => (i.kind === 'progress' ? 'p' : undefined),
    ...(maxQueue ? { maxQueue } : {}),
  });
  return { frames, applied, batcher };
}

describe('frame batcher', () => {
  it('applies everything that arrived in a frame at once, and schedules one frame', () => {
    const { frames, applied, batcher } = setup();
    batcher.push({ run: 'a', kind: 'step', n: 1 });
    batcher.push({ run: 'b', kind: 'step', n: 2 });
    expect(frames.pending).toBe(1);
    expect(applied).toEqual([]);
    frames.frame();
    expect(applied).toEqual([
      [
        { run: 'a', kind: 'step', n: 1 },
        { run: 'b', kind: 'step', n: 2 },
      ],
    ]);
    frames.frame();
    expect(applied).toHaveLength(1);
  });

  it('keeps only the newest of consecutive progress items of a run, in order with the rest', () => {
    const { frames, applied, batcher } = setup();
    batcher.push({ run: 'a', kind: 'progress', n: 1 });
    batcher.push({ run: 'b', kind: 'progress', n: 2 });
    batcher.push({ run: 'a', kind: 'progress', n: 3 });
    batcher.push({ run: 'a', kind: 'step', n: 4 });
    batcher.push({ run: 'a', kind: 'progress', n: 5 });
    batcher.push({ run: 'a', kind: 'progress', n: 6 });
    expect(batcher.size).toBe(4);
    frames.frame();
    expect(applied[0]?.map((i) => i.n)).toEqual([3, 2, 4, 6]);
  });

  it('applies at once when the queue is full (no frames in a hidden tab)', () => {
    const { applied, batcher } = setup(3);
    for (let n = 0; n < 3; n += 1) batcher.push({ run: `r${n}`, kind: 'step', n });
    expect(applied).toHaveLength(1);
    expect(batcher.size).toBe(0);
  });

  it('drops the queue and ignores pushes once disposed', () => {
    const { frames, applied, batcher } = setup();
    batcher.push({ run: 'a', kind: 'step', n: 1 });
    batcher.dispose();
    batcher.push({ run: 'a', kind: 'step', n: 2 });
    frames.frame();
    expect(applied).toEqual([]);
  });

  it('bounds a storm: 256 runs × 20 progress events in one frame apply as 256 items', () => {
    const { frames, applied, batcher } = setup();
    for (let k = 0; k < 20; k += 1) for (let r = 0; r < 256; r += 1) batcher.push({ run: `r${r}`, kind: 'progress', n: k });
    expect(batcher.size).toBe(256);
    frames.frame();
    expect(applied).toHaveLength(1);
    expect(applied[0]?.every((i) => i.n === 19)).toBe(true);
  });
});
