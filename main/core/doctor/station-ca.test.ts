/** The station CA check: absent, unreadable, locked, a wrong passphrase at hand, expired and about to expire. */
import { describe, expect, it } from 'vitest';
import { DOCTOR_NOW, healthyProbes } from '../../testing/doctor-probes';
import type { CaProbe } from './probes';
import { caChecks } from './station-ca';

const DAY = 86_400_000;
const run = async (ca: CaProbe) => caChecks(healthyProbes({ ca: async () => ca }))[0]!.run();
const at = (days: number): string => new Date(DOCTOR_NOW + days * DAY).toISOString();

describe('ca.station', () => {
  it('passes unlocked, or locked where the CLI asks for the passphrase', async () => {
    expect((await run({ initialized: true, ready: true, notAfter: at(400), unlock: 'prompt' })).status).toBe('pass');
    expect((await run({ initialized: true, ready: false, notAfter: at(400), unlock: 'prompt' })).found).toContain('asked when a run needs it');
    expect((await run({ initialized: true, ready: false, notAfter: at(400), unlock: 'tried' })).status).toBe('pass');
  });

  it('fails without a CA, or with files that cannot be read', async () => {
    expect(await run({ initialized: false, ready: false, unlock: 'prompt' })).toMatchObject({ status: 'fail' });
    expect((await run({ initialized: false, ready: false, unlock: 'prompt' })).fix).toContain('fieldline ca init');
    expect((await run({ initialized: true, ready: false, unlock: 'prompt', readError: 'bad PEM' })).found).toContain('bad PEM');
  });

  it('fails when the passphrase at hand does not open it, warns when the app has it locked', async () => {
    expect((await run({ initialized: true, ready: false, notAfter: at(400), unlock: 'tried', unlockError: 'wrong passphrase' })).status).toBe('fail');
    const locked = await run({ initialized: true, ready: false, notAfter: at(400), unlock: 'settings' });
    expect(locked.status).toBe('warn');
    expect(locked.fix).toContain('Settings');
  });

  it('warns within 30 days of expiry and fails once expired', async () => {
    const soon = await run({ initialized: true, ready: true, notAfter: at(29.5), unlock: 'prompt' });
    expect(soon.status).toBe('warn');
    expect(soon.found).toContain('in 29 days');
    expect((await run({ initialized: true, ready: true, notAfter: at(31), unlock: 'prompt' })).status).toBe('pass');
    const expired = await run({ initialized: true, ready: true, notAfter: at(-1), unlock: 'prompt' });
    expect(expired.status).toBe('fail');
    expect(expired.found).toContain('expired');
  });
});
