import { describe, expect, it } from 'vitest';
import { runFraction } from './run-progress';
import { newRunView, type RunView } from './run-view';

const withSteps = (changes: Partial<Record<keyof RunView['steps'], Partial<RunView['steps'][keyof RunView['steps']]>>>): RunView => {
  const view = newRunView('r1', 'd1');
  const steps = { ...view.steps };
  for (const [name, change] of Object.entries(changes)) steps[name as keyof RunView['steps']] = { ...steps[name as keyof RunView['steps']], ...change };
  return { ...view, steps };
};

describe('runFraction', () => {
  it('is 0 before the first step and 1 once the run ended, whatever its steps say', () => {
    expect(runFraction(newRunView('r1'))).toBe(0);
    expect(runFraction({ ...newRunView('r1'), outcome: 'failed' })).toBe(1);
  });

  it('counts ended steps whole and the running one by its upload fraction (half when it has none)', () => {
    expect(runFraction(withSteps({ identify: { state: 'passed' }, firmware: { state: 'running', fraction: 0.5 } }))).toBeCloseTo(1.5 / 6);
    expect(runFraction(withSteps({ identify: { state: 'passed' }, firmware: { state: 'skipped' }, identity: { state: 'running' } }))).toBeCloseTo(2.5 / 6);
    // A fraction outside 0..1 from a confused event does not overflow the bar.
    expect(runFraction(withSteps({ identify: { state: 'running', fraction: 7 } }))).toBeCloseTo(1 / 6);
  });
});
