/**
 * The device certificate is encoded by hand (issue.ts); these tests hold it to the bytes @peculiar/x509's generator
 * makes from the same inputs — for each kind of CA key a station may have, every kind of subject alternative name,
 * and both time encodings — and check the signature with Node's own X.509 code.
 */
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { X509Certificate as NodeX509Certificate, webcrypto } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { readTlv } from './der';
import { parseDistinguishedName } from './dn';
import { buildLeafCertificate, ipBytes, leafTbs, parseSans, subjectKeyId } from './issue';
import { importCaKey, type SigningAlgorithm } from './x509-crypto';

const crypto = webcrypto as unknown as NonNullable<Parameters<typeof x509.X509CertificateGenerator.create>[1]>;
type Keys = { privateKey: webcrypto.CryptoKey; publicKey: webcrypto.CryptoKey };

const CA_KEYS: Array<{ name: string; generate: () => Promise<Keys>; algorithm: SigningAlgorithm }> = [
  { name: 'EC P-256', generate: () => webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify']) as Promise<Keys>, algorithm: { name: 'ECDSA', hash: 'SHA-256' } },
  { name: 'EC P-384', generate: () => webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-384' }, true, ['sign', 'verify']) as Promise<Keys>, algorithm: { name: 'ECDSA', hash: 'SHA-384' } },
  {
    name: 'RSA 2048',
    generate: () =>
      webcrypto.subtle.generateKey({ name: 'RSASSA-PKCS1-v1_5', modulusLength: 2048, publicExponent: Uint8Array.of(1, 0, 1), hash: 'SHA-256' }, true, ['sign', 'verify']) as Promise<Keys>,
    algorithm: { name: 'RSASSA-PKCS1-v1_5' },
  },
];

async function caCertificate(keys: Keys, algorithm: SigningAlgorithm): Promise<x509.X509Certificate> {
  return x509.X509CertificateGenerator.createSelfSigned(
    {
      serialNumber: '01',
      name: 'CN=Station CA Test, O=Fieldline Test',
      notBefore: new Date('2026-01-01T00:00:00Z'),
      notAfter: new Date('2060-01-01T00:00:00Z'),
      keys,
      signingAlgorithm: algorithm.name === 'ECDSA' ? algorithm : { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' },
      extensions: [new x509.BasicConstraintsExtension(true, 0, true), await x509.SubjectKeyIdentifierExtension.create(keys.publicKey, false, crypto)],
    },
    crypto,
  );
}

const device = async (): Promise<Uint8Array> => {
  const keys = (await webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify'])) as Keys;
  return new Uint8Array(await webcrypto.subtle.exportKey('spki', keys.publicKey));
};

const SANS = ['URI:urn:acme:gateway:F1E1D00000000001', 'DNS:f1e1d00000000001.gw.acme.example', 'IP:10.0.0.1', 'IP:2001:db8::42:1', 'email:ops@example.com'];

describe('device certificate encoding', () => {
  for (const ca of CA_KEYS) {
    it(`is byte for byte what @peculiar/x509 makes, signed by an ${ca.name} CA`, async () => {
      const keys = await ca.generate();
      const issuer = await caCertificate(keys, ca.algorithm);
      const spki = await device();
      const subject = parseDistinguishedName('CN=F1E1D00000000001,O=Acme Gateways,OU=BEN-1')!;
      const sans = parseSans(SANS);
      for (const [notBefore, notAfter] of [
        [new Date('2026-11-26T08:14:28Z'), new Date('2029-02-28T08:19:28Z')],
        // Through 2049 UTCTime, from 2050 GeneralizedTime.
        [new Date('2049-12-31T23:59:59Z'), new Date('2051-06-01T12:00:00Z')],
      ] as const) {
        const serial = 'a5f21c2f88168520b1ce44ca3210f01e';
        const theirs = await x509.X509CertificateGenerator.create(
          {
            serialNumber: serial,
            subject,
            issuer: issuer.subjectName,
            notBefore,
            notAfter,
            publicKey: spki,
            signingKey: keys.privateKey,
            signingAlgorithm: ca.algorithm.name === 'ECDSA' ? ca.algorithm : { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' },
            extensions: [
              new x509.BasicConstraintsExtension(false, undefined, true),
              new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyAgreement, true),
              new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.clientAuth], false),
              await x509.SubjectKeyIdentifierExtension.create(spki, false, crypto),
              new x509.AuthorityKeyIdentifierExtension(issuer.getExtension(x509.SubjectKeyIdentifierExtension)!.keyId),
              new x509.SubjectAlternativeNameExtension(sans, false),
            ],
          },
          crypto,
        );
        const raw = new Uint8Array(theirs.rawData);
        const tbs = readTlv(raw, readTlv(raw, 0).content);
        const ours = leafTbs({
          serial,
          subject,
          issuer: { name: new Uint8Array(issuer.subjectName.toArrayBuffer()), keyId: subjectKeyId(new Uint8Array(issuer.publicKey.rawData)) },
          notBefore,
          notAfter,
          spki,
          sans,
          algorithm: ca.algorithm,
        });
        expect(Buffer.from(ours).toString('hex')).toBe(Buffer.from(raw.subarray(tbs.start, tbs.end)).toString('hex'));
      }
    });
  }

  it('signs what Node’s X.509 code (OpenSSL) parses and verifies against the CA key, for every CA key kind', async () => {
    for (const ca of CA_KEYS) {
      const keys = await ca.generate();
      const issuer = await caCertificate(keys, ca.algorithm);
      const pkcs8 = new Uint8Array(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey));
      const key = await importCaKey(pkcs8);
      const leaf = await buildLeafCertificate({
        request: { publicKeySpki: await device(), subject: 'CN=GW-1,O=Acme', sans: SANS, validityDays: 30 },
        issuer,
        key,
        now: new Date('2026-11-26T08:14:28.765Z'),
      });
      const cert = new NodeX509Certificate(leaf.der);
      expect(cert.verify(new NodeX509Certificate(new Uint8Array(issuer.rawData)).publicKey), ca.name).toBe(true);
      expect(cert.serialNumber.toLowerCase()).toBe(leaf.serial);
      expect(cert.subjectAltName).toContain('IP Address:2001:DB8:0:0:0:0:42:1');
      // Whole seconds, as encoded.
      expect(leaf.notBefore.toISOString()).toBe('2026-11-26T08:09:28.000Z');
      expect(new Date(cert.validFrom).toISOString()).toBe(leaf.notBefore.toISOString());
    }
  });

  it('writes IP addresses as 4 or 16 bytes', () => {
    expect([...ipBytes('10.0.0.1')]).toEqual([10, 0, 0, 1]);
    expect(Buffer.from(ipBytes('2001:db8::1')).toString('hex')).toBe('20010db8000000000000000000000001');
    expect(Buffer.from(ipBytes('::')).toString('hex')).toBe('0'.repeat(32));
    // An IPv4-mapped address: @peculiar/x509 gets this one wrong (it reads the IPv4 part as one hex group), so it is
    // checked here and left out of the byte-for-byte comparison.
    expect(Buffer.from(ipBytes('::ffff:10.0.0.1')).toString('hex')).toBe('00000000000000000000ffff0a000001');
    expect(Buffer.from(ipBytes('::ffff:192.168.1.7')).toString('hex')).toBe('00000000000000000000ffffc0a80107');
    expect(Buffer.from(ipBytes('fe80::1:2:3:4')).toString('hex')).toBe('fe800000000000000001000200030004');
  });

  it('refuses a DNS name, URI or e-mail address that is not ASCII (IA5String), naming it', async () => {
    const keys = await CA_KEYS[0]!.generate();
    const issuer = await caCertificate(keys, CA_KEYS[0]!.algorithm);
    const key = await importCaKey(new Uint8Array(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey)));
    const request = { publicKeySpki: await device(), subject: 'CN=GW-1', sans: ['URI:urn:gerät:1'], validityDays: 30 };
    await expect(buildLeafCertificate({ request, issuer, key, now: new Date('2026-11-26T00:00:00Z') })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      message: expect.stringMatching(/urn:gerät:1.*ASCII/),
    });
  });
});
