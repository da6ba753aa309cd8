/** Running the checks: all at once, each under its deadline, a throwing check a warning; the whole doctor on fakes. */
import { describe, expect, it } from 'vitest';
import { DoctorReportSchema } from '../../contract/doctor';
import { healthyProbes } from '../../testing/doctor-probes';
import { pass, fail } from './check';
import { doctorChecks, runDoctor } from './doctor';
import { runChecks } from './run';

describe('runChecks', () => {
  it('runs every check at once: the slowest bounds the run, a hung one ends as a warning at its deadline', async () => {
    const started = Date.now();
    const report = await runChecks(
      [
        { id: 'a.fast', title: 'fast', run: async () => pass('fine') },
        { id: 'a.hung', title: 'hung', run: () => new Promise(() => {}) },
        { id: 'a.throws', title: 'throws', run: async () => Promise.reject(new Error('probe broke')) },
      ],
      { platform: 'linux', timeoutMs: 200 },
    );
    expect(Date.now() - started).toBeLessThan(1000);
    expect(report.checks.map((c) => c.status)).toEqual(['pass', 'warn', 'warn']);
    expect(report.checks[1]!.found).toContain('no answer within 200 ms');
    expect(report.checks[2]!.found).toContain('probe broke');
    expect(report.ok).toBe(true);
  });

  it('is not ok when a check fails, and counts by status', async () => {
    const report = await runChecks([{ id: 'a', title: 'a', run: async () => fail('broken', 'mend it') }], { platform: 'linux' });
    expect(report).toMatchObject({ ok: false, counts: { pass: 0, warn: 0, fail: 1, skip: 0 } });
  });
});

describe('runDoctor', () => {
  it('on a healthy machine every check passes or is another OS’s, within the contract', async () => {
    const report = await runDoctor(healthyProbes());
    expect(() => DoctorReportSchema.parse(report)).not.toThrow();
    expect(report.ok).toBe(true);
    const notPass = report.checks.filter((c) => c.status !== 'pass').map((c) => c.id);
    expect(notPass).toEqual(['serial.windows-drivers', 'serial.macos-naming']);
    expect(new Set(report.checks.map((c) => c.id)).size).toBe(doctorChecks(healthyProbes()).length);
  });

  it('every check gives a fix', async () => {
    const report = await runDoctor(healthyProbes({ platform: async () => 'linux', identity: async () => ({ uid: 1000, user: 't', sessionGroups: [], dialoutMembers: [] }) }));
    expect(report.ok).toBe(false);
    for (const check of report.checks) expect(check.fix.length).toBeGreaterThan(0);
  });
});
