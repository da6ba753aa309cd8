/**
 * The certificate read from a gateway's identity slot is compared with revocation lists, which name their issuer as
 * the station's CA code formats a name (main/sync/revocation-upload.ts). A different spelling of the same issuer
 * would make a revocation listed by serial and issuer never match.
 */
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { webcrypto } from 'node:crypto';
import { expect, it } from 'vitest';
import { formatName } from '../../pki/dn';
import { describeCertificate } from './observe';

const crypto = webcrypto as unknown as NonNullable<Parameters<typeof x509.X509CertificateGenerator.create>[1]>;
const EC = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;

it('names the issuer as a revocation list does, and the serial without leading zeros', async () => {
  const caKeys = (await webcrypto.subtle.generateKey(EC, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const deviceKeys = (await webcrypto.subtle.generateKey(EC, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const ca = await x509.X509CertificateGenerator.createSelfSigned(
    { serialNumber: '01', name: 'O=Fieldline Test, OU=Line 1, CN=Station CA', notBefore: new Date('2026-01-01T00:00:00Z'), notAfter: new Date('2060-01-01T00:00:00Z'), keys: caKeys, signingAlgorithm: EC },
    crypto,
  );
  const device = await x509.X509CertificateGenerator.create(
    {
      serialNumber: '00ab12',
      subject: 'O=Fieldline Test, CN=GW-00A1',
      issuer: ca.subjectName.toString(),
      notBefore: new Date('2026-01-01T00:00:00Z'),
      notAfter: new Date('2027-01-01T00:00:00Z'),
      publicKey: deviceKeys.publicKey,
      signingKey: caKeys.privateKey,
      signingAlgorithm: EC,
    },
    crypto,
  );
  const seen = describeCertificate(new Uint8Array(device.rawData));
  expect(seen).toMatchObject({ issuer: formatName(ca.subjectName), serial: 'ab12', notAfter: '2027-01-01T00:00:00.000Z' });
  expect(describeCertificate(Uint8Array.of(0x30, 0x03, 0x02, 0x01, 0x01))).toBeUndefined();
});
