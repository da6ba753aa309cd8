import { describe, expect, it } from 'vitest';
import { formatLimits, formatMeasured } from './limits-text';

describe('limits as people write them', () => {
  it.each([
    [{ type: 'echo-rtt', limits: { max: 250 }, unit: 'ms' }, '≤ 250 ms'],
    [{ type: 'shell-number', limits: { pattern: 'temperature: ([-0-9.]+)', min: -20, max: 70 }, unit: 'C' }, '-20 … 70 °C'],
    [{ type: 'stat', limits: { max: 0 } }, '≤ 0'],
    [{ type: 'stat', limits: { min: 0, max: 0 } }, '= 0'],
    [{ type: 'firmware-version', limits: { min: '1.0.0' } }, '≥ 1.0.0'],
    [{ type: 'shell-match', limits: { pattern: '^selftest: PASS$', expected: 0 } }, 'matches ^selftest: PASS$, return code 0'],
    [{ type: 'identity-challenge', limits: { expected: true } }, '= true'],
    [{ type: 'settings-hash', limits: { expected: 'a'.repeat(64) } }, `= ${'a'.repeat(16)}…`],
    [{ type: 'settings-hash', limits: {} }, '—'],
  ])('%j → %s', (result, text) => {
    expect(formatLimits(result)).toBe(text);
  });

  it('never prints JSON', () => {
    expect(formatLimits({ limits: { max: 250 } })).not.toMatch(/[{}"]/);
  });
});

describe('measured values as read', () => {
  it.each([
    [{ value: 12.5, unit: 'ms' }, '12.5 ms'],
    [{ value: 41, unit: 'C' }, '41 °C'],
    [{ value: 'selftest: FAIL (1 of 4 checks failed)' }, 'selftest: FAIL (1 of 4 checks failed)'],
    [{ value: null }, '—'],
    [{ value: true }, 'true'],
  ])('%j → %s', (result, text) => {
    expect(formatMeasured(result)).toBe(text);
  });
});
