/** Profiles with firmware but no firmware.signingKeys are named in a warning. */
import { describe, expect, it } from 'vitest';
import { healthyProbes } from '../../testing/doctor-probes';
import type { ProfileProbe } from './probes';
import { profileChecks } from './profiles';

const run = async (profiles: ProfileProbe[]) => profileChecks(healthyProbes({ profiles: async () => profiles }))[0]!.run();

describe('profiles.signing-keys', () => {
  it('passes when every profile with firmware names its keys', async () => {
    expect((await run([{ name: 'a', firmware: true, signingKeys: 2 }, { name: 'b', firmware: false, signingKeys: 0 }])).status).toBe('pass');
  });

  it('warns naming each profile without signing keys', async () => {
    const r = await run([{ name: 'eu-gateway', firmware: true, signingKeys: 0 }, { name: 'ok', firmware: true, signingKeys: 1 }]);
    expect(r.status).toBe('warn');
    expect(r.found).toContain('eu-gateway names no firmware.signingKeys');
    expect(r.found).not.toContain('ok');
  });

  it('has nothing to check without firmware in the library', async () => {
    expect((await run([])).status).toBe('skip');
  });
});
