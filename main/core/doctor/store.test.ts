/** The store checks: SQLite's quick_check and the audit chain. */
import { describe, expect, it } from 'vitest';
import { healthyProbes } from '../../testing/doctor-probes';
import type { StoreProbe } from './probes';
import { storeChecks } from './store';

const run = async (probe: StoreProbe | undefined) => {
  const [integrity, audit] = storeChecks(healthyProbes({ store: async () => probe }));
  return { integrity: await integrity!.run(), audit: await audit!.run() };
};

describe('store checks', () => {
  it('pass on a sound store with an intact chain', async () => {
    const r = await run({ quickCheck: ['ok'], audit: { ok: true, entries: 3 } });
    expect(r.integrity).toMatchObject({ status: 'pass', found: 'quick_check: ok' });
    expect(r.audit).toMatchObject({ status: 'pass', found: '3 entries, chain intact' });
  });

  it('fail on what quick_check reports and on a broken chain', async () => {
    const r = await run({ quickCheck: ['*** in database main ***', 'Page 7: btreeInitPage() returns error code 11'], audit: { ok: false, entries: 9, problem: { seq: 4, reason: 'hash mismatch' } } });
    expect(r.integrity.status).toBe('fail');
    expect(r.integrity.fix).toContain('fieldline store reset');
    expect(r.audit.status).toBe('fail');
    expect(r.audit.found).toContain('at entry 4: hash mismatch');
  });

  it('fail when the store cannot be opened; skip when there is none yet', async () => {
    expect((await run({ quickCheck: { error: 'file is not a database' }, audit: { error: 'file is not a database' } })).integrity.status).toBe('fail');
    const none = await run(undefined);
    expect([none.integrity.status, none.audit.status]).toEqual(['skip', 'skip']);
  });
});
