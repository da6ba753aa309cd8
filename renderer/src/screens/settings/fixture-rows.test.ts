import { describe, expect, it } from 'vitest';
import { fixtureRows, labelsOf } from './fixture-rows';

describe('fixtureRows', () => {
  it('lists the labelled positions and the ones a gateway is in now, in hub order', () => {
    expect(fixtureRows({ '1-1.10': 'A10', '1-1.2': 'A2' }, ['1-1.2', '1-1.3'])).toEqual([
      { location: '1-1.2', label: 'A2', present: true },
      { location: '1-1.3', label: '', present: true },
      { location: '1-1.10', label: 'A10', present: false },
    ]);
  });
});

describe('labelsOf', () => {
  it('keeps the labelled rows, trimmed, and drops the empty ones', () => {
    expect(labelsOf([{ location: '1-1.2', label: ' A2 ', present: true }, { location: '1-1.3', label: '', present: true }])).toEqual({ labels: { '1-1.2': 'A2' } });
  });

  it('refuses one label on two positions, and a label too long to read at a glance', () => {
    expect(labelsOf([{ location: '1-1.2', label: 'A1', present: true }, { location: '1-1.3', label: 'A1', present: true }])).toEqual({ problem: '“A1” names two positions (1-1.2 and 1-1.3)' });
    expect(labelsOf([{ location: '1-1.2', label: 'x'.repeat(17), present: true }])).toMatchObject({ problem: expect.stringContaining('longer than 16') });
  });
});
