import { describe, expect, it } from 'vitest';
import { driftWords, expiryLook, expiryWords, historyTitle, revocationLook, slotWords } from './format';

describe('device page words', () => {
  it('says when the certificate expires, and warns within 30 days', () => {
    expect(expiryWords(20)).toBe('expires in 20 days');
    expect(expiryWords(1)).toBe('expires in 1 day');
    expect(expiryWords(0)).toBe('expires today');
    expect(expiryWords(-3)).toBe('expired 3 days ago');
    expect([expiryLook(365), expiryLook(30), expiryLook(-1)].map((l) => l.tone)).toEqual(['ok', 'warn', 'bad']);
  });

  it('never calls a certificate "not revoked" when no list knows its issuer', () => {
    expect(revocationLook({ revoked: true, revokedReason: 'superseded' }).label).toBe('Revoked (superseded)');
    expect(revocationLook({ revoked: false }).label).toBe('Not revoked');
    expect(revocationLook({ revoked: null })).toMatchObject({ tone: 'warn', label: 'Unknown: no revocation list for its issuer' });
  });

  it('reads image slot flags', () => {
    expect(slotWords({ active: true, confirmed: true, pending: false, permanent: false })).toBe('active · confirmed');
    expect(slotWords({ active: false, confirmed: false, pending: true, permanent: false })).toBe('pending (test)');
    expect(slotWords({ active: false, confirmed: false, pending: false, permanent: false })).toBe('inactive');
  });

  it('titles provisioning runs and service records apart', () => {
    const profile = { name: 'gateway-eu', version: '1.0.0' };
    expect(historyTitle({ profile })).toBe('Provisioning run · gateway-eu 1.0.0');
    expect(historyTitle({ profile, service: { action: 'remediate', operator: 'ana' } })).toBe('Remediation by ana');
  });

  it('counts drift by kind', () => {
    const d = (kind: 'setting' | 'file', name: string) => ({ kind, name, expected: 'a', actual: 'b', fixable: true });
    expect(driftWords({ differences: [] })).toBe('No drift');
    expect(driftWords({ differences: [d('setting', 'a'), d('setting', 'b'), d('file', '/f')] })).toBe('2 settings, 1 file drifted');
  });
});
