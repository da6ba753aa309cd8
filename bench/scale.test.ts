import { describe, expect, it } from 'vitest';
import { scaleVerdict, type ScaleRow } from './scale';

const row = (n: number, ratio: number, hostCpuMsPerGateway: number, loadAverage = 0.5, passed = n): ScaleRow => ({
  n,
  wallSeconds: 1.8 * ratio,
  ratio,
  hostCpuMsPerGateway,
  simCpuMsPerGateway: 10,
  socatCpuMsPerGateway: 3,
  peakRssMiB: 150,
  passed,
  failures: [],
  stepMeanMs: {},
  loadAverage,
});

describe('scale verdict', () => {
  it('says met only when 64 is within 1.3× one, every N within 50 ms of host CPU, and every run passed', () => {
    const good = scaleVerdict([row(1, 1, 45), row(64, 1.29, 15)], false);
    expect(good).toMatchObject({ pass: true, ratioMet: true, cpuMet: true, allPassed: true });
    expect(good.lines[0]).toMatch(/1\.290 \(goal ≤ 1\.3\) — met$/);

    const slow = scaleVerdict([row(1, 1, 45), row(64, 1.41, 15)], false);
    expect(slow).toMatchObject({ pass: false, ratioMet: false, cpuMet: true });
    expect(slow.lines[0]).toMatch(/NOT met$/);

    const costly = scaleVerdict([row(1, 1, 75), row(64, 1.2, 15)], false);
    expect(costly).toMatchObject({ pass: false, cpuMet: false });
    expect(costly.lines[1]).toMatch(/N=1 75\.0 ms NOT met, N=64 15\.0 ms met — NOT met$/);

    expect(scaleVerdict([row(1, 1, 40), row(64, 1.2, 15, 0.5, 63)], false)).toMatchObject({ pass: false, allPassed: false });
  });

  it('warns when other work loaded the machine, and when --quick did not measure 64', () => {
    const v = scaleVerdict([row(1, 1, 40, 3.2), row(16, 1.1, 20, 0.4)], true);
    expect(v.lines.join('\n')).toMatch(/load average above the 2 cores at N=1 \(3\.2\)/);
    expect(v.lines.join('\n')).toMatch(/--quick: largest N is 16, not 64/);
  });
});
