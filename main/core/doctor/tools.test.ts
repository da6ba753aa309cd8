/** socat and Chromium: warnings when missing, with the install line. */
import { describe, expect, it } from 'vitest';
import { healthyProbes } from '../../testing/doctor-probes';
import { toolChecks } from './tools';

describe('tool checks', () => {
  it('pass with both tools', async () => {
    const [socat, chromium] = toolChecks(healthyProbes());
    expect(await socat!.run()).toMatchObject({ status: 'pass', found: 'socat at /usr/bin/socat' });
    expect((await chromium!.run()).status).toBe('pass');
  });

  it('warn without them', async () => {
    const [socat, chromium] = toolChecks(healthyProbes({ executables: async () => ({ socat: null }), chromium: async () => null }));
    expect(await socat!.run()).toMatchObject({ status: 'warn', fix: 'sudo apt-get install -y socat' });
    expect((await chromium!.run()).fix).toContain('apt-get install -y chromium');
  });
});
