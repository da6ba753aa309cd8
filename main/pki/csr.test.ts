import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, webcrypto } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { isFieldlineError } from '../errors';
import { makeCsr, testCrypto } from '../testing/pki';
import { certificateRecord, checkCsr, generateDeviceKey, verifyChallenge } from './csr';

async function csrError(der: Uint8Array, subject: string): Promise<{ code: string; message: string }> {
  try {
    await checkCsr(der, subject);
  } catch (err) {
    if (isFieldlineError(err)) return { code: err.code, message: err.message };
    throw err;
  }
  throw new Error('checkCsr accepted the request');
}

describe('checkCsr', () => {
  it('accepts a P-256 request whose subject matches, however the subject is spaced or its attribute names cased', async () => {
    const csr = await makeCsr('CN=GW-0001, O=Acme');
    const checked = await checkCsr(csr.der, 'cn=GW-0001,o=Acme');
    expect(checked.subject).toBe('CN=GW-0001, O=Acme');
    expect(Buffer.from(checked.publicKeySpki)).toEqual(Buffer.from(csr.spki));
  });

  it('rejects a tampered request: the signature no longer verifies', async () => {
    const csr = await makeCsr('CN=GW-0001, O=Acme');
    const der = Buffer.from(csr.der);
    const at = der.indexOf('GW-0001');
    der[at + 6] = '2'.charCodeAt(0);
    const err = await csrError(der, 'CN=GW-0002, O=Acme');
    expect(err.code).toBe('CSR_INVALID');
    expect(err.message).toMatch(/signature does not verify/);
  });

  it('rejects a request for another subject, naming both', async () => {
    const csr = await makeCsr('CN=GW-0001, O=Acme');
    const err = await csrError(csr.der, 'CN=GW-0009, O=Acme');
    expect(err.code).toBe('CSR_INVALID');
    expect(err.message).toContain('"CN=GW-0001, O=Acme"');
    expect(err.message).toContain('"CN=GW-0009, O=Acme"');
  });

  it('rejects keys other than P-256, bytes that are not a CSR, and oversized input', async () => {
    const p384 = await makeCsr('CN=GW-0001', 'P-384');
    expect(await csrError(p384.der, 'CN=GW-0001')).toMatchObject({ code: 'CSR_INVALID', message: expect.stringMatching(/EC P-384.*P-256/) });
    const rsaKeys = await webcrypto.subtle.generateKey(
      { name: 'RSASSA-PKCS1-v1_5', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' },
      true,
      ['sign', 'verify'],
    );
    const rsa = await x509.Pkcs10CertificateRequestGenerator.create({ name: 'CN=GW-0001', keys: rsaKeys, signingAlgorithm: { name: 'RSASSA-PKCS1-v1_5' } }, testCrypto);
    expect(await csrError(new Uint8Array(rsa.rawData), 'CN=GW-0001')).toMatchObject({ code: 'CSR_INVALID', message: expect.stringMatching(/RSASSA/) });
    expect((await csrError(new Uint8Array([0x30, 0x03, 0x02, 0x01, 0x01]), 'CN=x')).message).toMatch(/not a PKCS#10/);
    expect((await csrError(new Uint8Array(0), 'CN=x')).code).toBe('CSR_INVALID');
    expect((await csrError(new Uint8Array(9000), 'CN=x')).message).toMatch(/9000 bytes/);
  });

  it('treats an unparseable expected subject as the profile’s mistake (INVALID_ARGUMENT)', async () => {
    const csr = await makeCsr('CN=GW-0001');
    expect((await csrError(csr.der, 'garbage')).code).toBe('INVALID_ARGUMENT');
  });
});

describe('device keys and challenges', () => {
  it('generateDeviceKey makes a P-256 pair whose PEM and SPKI belong together', () => {
    const key = generateDeviceKey();
    expect(key.privateKeyPkcs8Pem).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    const priv = createPrivateKey(key.privateKeyPkcs8Pem);
    expect(priv.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    expect(createPublicKey(priv).export({ type: 'spki', format: 'der' })).toEqual(Buffer.from(key.publicKeySpki));
  });

  it('verifyChallenge accepts the certificate key’s signature and nothing else', async () => {
    const device = generateDeviceKey();
    const keys = await webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify']);
    const cert = await x509.X509CertificateGenerator.create(
      { subject: 'CN=dev', issuer: 'CN=ca', publicKey: device.publicKeySpki, signingKey: keys.privateKey, signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' } },
      testCrypto,
    );
    const der = new Uint8Array(cert.rawData);
    const challenge = new Uint8Array(32).fill(7);
    const sig = sign('sha256', challenge, { key: device.privateKeyPkcs8Pem, dsaEncoding: 'der' });
    expect(verifyChallenge(der, challenge, sig)).toBe(true);
    expect(verifyChallenge(der, new Uint8Array(32).fill(8), sig)).toBe(false);
    const other = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey;
    expect(verifyChallenge(der, challenge, sign('sha256', challenge, { key: other, dsaEncoding: 'der' }))).toBe(false);
    expect(verifyChallenge(der, challenge, new Uint8Array([1, 2, 3]))).toBe(false);
    expect(verifyChallenge(new Uint8Array([1, 2, 3]), challenge, sig)).toBe(false);

    const record = certificateRecord(der);
    expect(record).toMatchObject({ serial: cert.serialNumber, subject: 'CN=dev', issuer: 'CN=ca' });
    expect(record.fingerprintSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(record.notAfter).toBe(cert.notAfter.toISOString());
  });
});
