/** The registry checks from one probe: reachable, the token, this machine's clock against the Date header. */
import { describe, expect, it, vi } from 'vitest';
import { DOCTOR_NOW, healthyProbes } from '../../testing/doctor-probes';
import type { CheckOutcome } from './check';
import type { RegistryProbe } from './probes';
import { registryChecks } from './registry';

const MIN = 60_000;
const runAll = async (probe: RegistryProbe) => {
  const ask = vi.fn(async () => probe);
  const results = await Promise.all(registryChecks(healthyProbes({ registry: ask })).map(async (c) => [c.id, await c.run()] as const));
  const byId: Record<string, CheckOutcome> = Object.fromEntries(results);
  return { check: (id: string): CheckOutcome => byId[id]!, asked: ask.mock.calls.length };
};
const reachable = (dateOffsetMs: number, auth: number): RegistryProbe => ({
  configured: true,
  url: 'https://r.example',
  health: { status: 200, date: new Date(DOCTOR_NOW + dateOffsetMs).toUTCString(), sentAt: DOCTOR_NOW - 50, receivedAt: DOCTOR_NOW + 50 },
  auth: { status: auth },
});

describe('registry checks', () => {
  it('pass for a registry that answers, accepts the token and keeps our time; the probe is asked once for all three', async () => {
    const r = await runAll(reachable(30_000, 404));
    expect(r.check('registry.reachable').status).toBe('pass');
    expect(r.check('registry.token').status).toBe('pass');
    expect(r.check('registry.clock')).toMatchObject({ status: 'pass' });
    expect(r.asked).toBe(1);
  });

  it('fail on a refused token, naming the login command', async () => {
    const r = await runAll(reachable(0, 401));
    expect(r.check('registry.token')).toMatchObject({ status: 'fail' });
    expect(r.check('registry.token').fix).toContain('fieldline registry login https://r.example');
  });

  it('fail when the clock is more than 2 minutes off, saying which way', async () => {
    const ahead = await runAll(reachable(-3 * MIN, 404));
    expect(ahead.check('registry.clock').status).toBe('fail');
    expect(ahead.check('registry.clock').found).toContain('180 s ahead of the registry');
    const behind = await runAll(reachable(+5 * MIN, 404));
    expect(behind.check('registry.clock').found).toContain('behind');
    expect((await runAll(reachable(119_000, 404))).check('registry.clock').status).toBe('pass');
  });

  it('fail when unreachable; the token and the clock are then not judged', async () => {
    const r = await runAll({ configured: true, url: 'https://r.example', health: { error: 'ECONNREFUSED' }, auth: { error: 'ECONNREFUSED' } });
    expect(r.check('registry.reachable')).toMatchObject({ status: 'fail' });
    expect(r.check('registry.reachable').found).toContain('ECONNREFUSED');
    expect(r.check('registry.token').status).toBe('skip');
    expect(r.check('registry.clock').status).toBe('skip');
  });

  it('skip without a registry; a URL without its token fails the token check', async () => {
    const none = await runAll({ configured: false });
    expect([none.check('registry.reachable').status, none.check('registry.token').status, none.check('registry.clock').status]).toEqual(['skip', 'skip', 'skip']);
    const noToken = await runAll({ configured: false, urlWithoutToken: 'https://r.example' });
    expect(noToken.check('registry.token')).toMatchObject({ status: 'fail' });
  });
});
