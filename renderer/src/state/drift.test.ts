import { describe, expect, it } from 'vitest';
import type { Difference, RunSummary } from '../../../main/contract/api';
import { profileItem, RUN_A, RUN_B } from '../testing/samples';
import { lastPassedProfile, remediationPlan } from './drift';

const run = (id: string, profile: string, version: string, outcome: RunSummary['outcome']): RunSummary => ({
  id,
  serial: 'GW-1',
  profile,
  profileVersion: version,
  station: 'st',
  outcome,
  startedAt: 't',
  endedAt: 't',
});

describe('lastPassedProfile', () => {
  const v1 = profileItem('gw.yaml', { name: 'gw', version: '1.0.0' });
  const v2 = profileItem('gw-2.yaml', { name: 'gw', version: '2.0.0' });
  const broken = profileItem('gw-3.yaml', { name: 'gw', version: '3.0.0', problems: 2 });

  it('takes the newest passed run and matches name and version', () => {
    expect(lastPassedProfile([run(RUN_B, 'gw', '1.0.0', 'failed'), run(RUN_A, 'gw', '2.0.0', 'passed')], [v1, v2])).toBe(v2.path);
  });

  it('answers nothing without a passed run, a matching version, or a usable profile', () => {
    expect(lastPassedProfile([run(RUN_A, 'gw', '1.0.0', 'failed')], [v1])).toBeUndefined();
    expect(lastPassedProfile([run(RUN_A, 'gw', '9.9.9', 'passed')], [v1, v2])).toBeUndefined();
    expect(lastPassedProfile([run(RUN_A, 'gw', '3.0.0', 'passed')], [broken])).toBeUndefined();
  });
});

describe('remediationPlan', () => {
  it('splits what Remediate writes from what it leaves', () => {
    const setting: Difference = { kind: 'setting', name: 'a', expected: '8', actual: '3', fixable: true };
    const firmware: Difference = { kind: 'firmware', name: 'version', expected: '>=1.1.0', actual: '1.0.0', fixable: false };
    expect(remediationPlan([setting, firmware])).toEqual({ writes: [setting], leaves: [firmware] });
  });
});
