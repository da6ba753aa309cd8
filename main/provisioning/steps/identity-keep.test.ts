import { createPrivateKey, sign } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateDeviceKey } from '../../pki/csr';
import { initCa, openStationCa, type StationCa } from '../../pki/station-ca';
import type { IssuedCertificateRow, Store } from '../../store/types';
import { checkKeep, issuedByStation, type KeepInput } from './identity-keep';

const SUBJECT = 'CN=GW-1,O=Test';
const DAY_MS = 86_400_000;
let work: string;
let ours: StationCa;
let foreign: StationCa;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'fieldline-keep-'));
  await initCa(join(work, 'a'), { passphrase: 'keep-test-passphrase' });
  await initCa(join(work, 'b'), { passphrase: 'keep-test-passphrase' });
  ours = await openStationCa(join(work, 'a'), 'keep-test-passphrase');
  foreign = await openStationCa(join(work, 'b'), 'keep-test-passphrase');
});

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

/** A device holding a key and a certificate for it from `ca`; `sign` answers challenges with `signingKey` (default: its own). */
async function device(ca: StationCa, options: { subject?: string; validityDays?: number; signingKey?: string } = {}) {
  const key = generateDeviceKey();
  const issued = await ca.issue({ publicKeySpki: key.publicKeySpki, subject: options.subject ?? SUBJECT, sans: [], validityDays: options.validityDays ?? 365 });
  const privateKey = createPrivateKey(options.signingKey ?? key.privateKeyPkcs8Pem);
  return { issued, key, sign: (challenge: Uint8Array) => Promise.resolve(new Uint8Array(sign('sha256', challenge, { key: privateKey, dsaEncoding: 'der' }))) };
}

function register(rows: Array<Partial<IssuedCertificateRow>> = []): Store {
  return { listCertificates: () => rows as IssuedCertificateRow[] } as unknown as Store;
}

async function keep(d: Awaited<ReturnType<typeof device>>, overrides: Partial<KeepInput> = {}) {
  return checkKeep({ der: d.issued.der, signer: ours, store: register(), deviceSerial: 'GW-1', subject: SUBJECT, renewWithinDays: 30, now: new Date(), sign: d.sign, ...overrides });
}

const failure = (check: string, text: RegExp) => expect.objectContaining({ code: 'IDENTITY_KEEP_FAILED', details: { check }, message: expect.stringMatching(text) });

describe('keeping an identity', () => {
  it('keeps a certificate of this station, in date, for the rendered subject, whose key the device holds', async () => {
    const d = await device(ours);
    await expect(keep(d)).resolves.toMatchObject({ serial: d.issued.record.serial, fingerprintSha256: d.issued.record.fingerprintSha256, subject: 'CN=GW-1, O=Test' });
    expect(issuedByStation(d.issued.der, ours)).toBe(true);
  });

  it('refuses one another CA issued (signatures checked, not names)', async () => {
    const d = await device(foreign);
    await expect(keep(d)).rejects.toEqual(failure('chain', /not issued by this station's CA/));
    expect(issuedByStation(d.issued.der, ours)).toBe(false);
  });

  it('refuses a revoked one: on the revocation list, or revoked in the register', async () => {
    const d = await device(ours);
    await ours.revoke(d.issued.record.serial, 'test');
    await expect(keep(d)).rejects.toEqual(failure('revocation', /revoked/));
    const e = await device(ours);
    await expect(keep(e, { store: register([{ state: 'revoked', deviceSerial: 'GW-1' }]) })).rejects.toEqual(failure('revocation', /revoked/));
  });

  it('refuses one the register says was issued to another device', async () => {
    const d = await device(ours);
    await expect(keep(d, { store: register([{ state: 'in-service', deviceSerial: 'GW-2' }]) })).rejects.toEqual(failure('device', /another device/));
  });

  it('refuses one that expires within the renewal margin', async () => {
    const d = await device(ours, { validityDays: 20 });
    await expect(keep(d)).rejects.toEqual(failure('validity', /within the profile's renewal margin of 30 days/));
    await expect(keep(d, { renewWithinDays: 10 })).resolves.toBeDefined();
    await expect(keep(d, { renewWithinDays: 0, now: new Date(Date.now() + 21 * DAY_MS) })).rejects.toEqual(failure('validity', /expires/));
  });

  it('refuses one for another subject than the profile renders', async () => {
    const d = await device(ours, { subject: 'CN=GW-9,O=Test' });
    await expect(keep(d)).rejects.toEqual(failure('subject', /"CN=GW-9, O=Test" but the profile renders "CN=GW-1,O=Test"/));
  });

  it('refuses when the device cannot sign with the certificate’s key', async () => {
    const d = await device(ours, { signingKey: generateDeviceKey().privateKeyPkcs8Pem });
    await expect(keep(d)).rejects.toEqual(failure('possession', /does not match the certificate/));
  });
});
