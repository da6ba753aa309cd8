import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RunRecord } from '../contract/run-record';
import { openStore, type SqliteStore } from '../store/store';
import { sampleRunRecord } from '../testing/run-records';
import { certificateStatus } from './certificate-status';

let dir: string;
let store: SqliteStore;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fieldline-cert-status-'));
  store = openStore(dir);
});
afterEach(async () => {
  store.close();
  await rm(dir, { recursive: true, force: true });
});

const withCert = (over: Partial<NonNullable<RunRecord['certificate']>> = {}, outcome: RunRecord['outcome'] = 'failed'): RunRecord => {
  const record = sampleRunRecord({ outcome });
  return {
    ...record,
    certificate: {
      serial: '0A1B2C',
      fingerprintSha256: 'cd'.repeat(32),
      subject: 'CN=GW-00A1',
      notBefore: '2026-11-26T05:40:00.000Z',
      notAfter: '2027-11-26T05:40:00.000Z',
      issuer: 'CN=Station',
      mode: 'csr',
      ...over,
    },
  };
};

const none = () => [];

describe('a run certificate as it stands now', () => {
  it('none when the run issued none; issued or in service by the register', () => {
    const noCert = { ...sampleRunRecord(), certificate: undefined } as RunRecord;
    expect(certificateStatus(store, none, noCert)).toEqual({ state: 'none' });
    const failed = withCert();
    store.saveRun(failed);
    expect(certificateStatus(store, none, failed)).toEqual({ state: 'issued' });
    const passed = withCert({ fingerprintSha256: 'ef'.repeat(32), serial: '0A1B2D' }, 'passed');
    store.saveRun(passed);
    expect(certificateStatus(store, none, passed)).toEqual({ state: 'in-service' });
  });

  it('revoked after the run ended (the record still says nothing): with the reason and time from the CA list', () => {
    const record = withCert();
    store.saveRun(record);
    // Revoked later (repair, a replacement): the register has it, the record given here does not.
    store.saveRun({ ...record, certificate: { ...record.certificate!, revoked: true } });
    // The CA list writes serials without leading zeros, lower case: 0A1B2C is listed as a1b2c.
    expect(certificateStatus(store, () => [{ serial: 'a1b2c', reason: 'rolled back: diagnostics failed', time: '2026-11-26T05:41:00.000Z' }], record)).toEqual({
      state: 'revoked',
      revokedAt: '2026-11-26T05:41:00.000Z',
      reason: 'rolled back: diagnostics failed',
    });
  });

  it('revoked without a CA list (no CA here): the register\'s time, no reason made up', () => {
    const record = withCert({ revoked: true });
    store.saveRun(record);
    const status = certificateStatus(store, none, record);
    expect(status.state).toBe('revoked');
    expect(status.reason).toBeUndefined();
    expect(Date.parse(status.revokedAt ?? '')).not.toBeNaN();
  });
});
