import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { createHash, createPublicKey, randomBytes, verify, webcrypto } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkCsr } from '../../pki/csr';
import { parseDistinguishedName } from '../../pki/dn';
import { derToPem, opensslOk } from '../../testing/pki';
import { makeCsr } from './identity';
import { hex, testDevice, type TestDevice } from './test-support';

const ID = 64;
type X509Crypto = NonNullable<Parameters<typeof x509.X509CertificateGenerator.create>[1]>;
const crypto = webcrypto as unknown as X509Crypto;
const EC = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const SIGN = { name: 'ECDSA', hash: 'SHA-256' } as const;

/** A test CA: a self-signed root that issues leaves for CSRs, as the provisioning station's signer would. */
async function makeCa() {
  const keys = await webcrypto.subtle.generateKey(EC, false, ['sign', 'verify']);
  const root = await x509.X509CertificateGenerator.createSelfSigned(
    { serialNumber: '01', name: 'CN=Test Root', notBefore: new Date(Date.now() - 60_000), notAfter: new Date(Date.now() + 3_600_000), keys, signingAlgorithm: SIGN },
    crypto,
  );
  return {
    root,
    async issue(csrDer: Uint8Array): Promise<x509.X509Certificate> {
      const csr = new x509.Pkcs10CertificateRequest(csrDer);
      expect(await csr.verify(crypto)).toBe(true);
      return x509.X509CertificateGenerator.create(
        {
          serialNumber: '02',
          subject: csr.subject,
          issuer: root.subject,
          notBefore: new Date(Date.now() - 60_000),
          notAfter: new Date(Date.now() + 3_600_000),
          publicKey: csr.publicKey,
          signingKey: keys.privateKey,
          signingAlgorithm: SIGN,
        },
        crypto,
      );
    },
  };
}

async function csr(t: TestDevice, subject: string, slot = 0): Promise<Uint8Array> {
  return (await t.ok(ID, 0, 'write', { subject, slot })).csr as Uint8Array;
}

describe('identity group', () => {
  it('csr → CA-signed cert → install → signed challenge verifies against the certificate', async () => {
    const t = await testDevice();
    const ca = await makeCa();
    const request = new x509.Pkcs10CertificateRequest(await csr(t, 'CN=GW-0123456789ABCDEF,O=Acme'));
    expect(request.subject).toBe('CN=GW-0123456789ABCDEF, O=Acme');
    const leaf = await ca.issue(new Uint8Array(request.rawData));
    const certDer = new Uint8Array(leaf.rawData);
    const rootDer = new Uint8Array(ca.root.rawData);

    const installed = await t.ok(ID, 1, 'write', { cert: certDer, chain: [rootDer] });
    expect(hex(installed.fingerprint)).toBe(createHash('sha256').update(certDer).digest('hex'));

    const challenge = randomBytes(32);
    const { sig } = await t.ok(ID, 2, 'write', { challenge: new Uint8Array(challenge) });
    const certKey = createPublicKey({ key: Buffer.from(leaf.publicKey.rawData), format: 'der', type: 'spki' });
    expect(verify('sha256', challenge, { key: certKey, dsaEncoding: 'der' }, sig as Uint8Array)).toBe(true);

    const info = await t.ok(ID, 3, 'read', {});
    expect(info).toEqual({ key: true, cert: certDer, chain: [rootDer] });
    // The private key never crosses the wire, but it is on "flash", as PKCS#8.
    expect(JSON.stringify(info)).not.toContain('PRIVATE');
    expect(await readFile(join(t.dir, 'identity', 'slot0', 'key.pem'), 'utf8')).toMatch(/^-----BEGIN PRIVATE KEY-----/);
  });

  it('refuses a certificate for another key, garbage, and slots without a key', async () => {
    const t = await testDevice();
    const ca = await makeCa();
    expect(await t.call(ID, 1, 'write', { cert: new Uint8Array(ca.root.rawData) })).toEqual({ kind: 'group-error', name: 'NO_KEY' });
    expect(await t.call(ID, 2, 'write', { challenge: new Uint8Array(16) })).toEqual({ kind: 'group-error', name: 'NO_KEY' });

    const other = await testDevice();
    const foreign = await ca.issue(await csr(other, 'CN=other'));
    await csr(t, 'CN=mine');
    expect(await t.call(ID, 1, 'write', { cert: new Uint8Array(foreign.rawData) })).toEqual({ kind: 'group-error', name: 'KEY_MISMATCH' });
    expect(await t.call(ID, 1, 'write', { cert: new Uint8Array([0x30, 0x03, 1, 2, 3]) })).toEqual({ kind: 'group-error', name: 'BAD_CERT' });
    const mine = await ca.issue((await t.ok(ID, 0, 'write', { subject: 'CN=mine' })).csr as Uint8Array);
    expect(await t.call(ID, 1, 'write', { cert: new Uint8Array(mine.rawData), chain: [new Uint8Array(4)] })).toEqual({
      kind: 'group-error',
      name: 'BAD_CERT',
    });
    const rootDer = new Uint8Array(ca.root.rawData);
    const tooMuch = Array.from({ length: Math.ceil(8192 / rootDer.length) + 1 }, () => rootDer);
    expect(await t.call(ID, 1, 'write', { cert: new Uint8Array(mine.rawData), chain: tooMuch })).toEqual({
      kind: 'group-error',
      name: 'STORAGE_FULL',
    });
    expect(await t.ok(ID, 3, 'read', {})).toEqual({ key: true });
  });

  it('answers BAD_SUBJECT, EINVAL and EBADSTATE where the document leaves room', async () => {
    const t = await testDevice();
    for (const subject of ['garbage', '', 'CN=', 'FOO=bar', 'CN=a,,O=b']) {
      expect(await t.call(ID, 0, 'write', { subject }), subject).toEqual({ kind: 'group-error', name: 'BAD_SUBJECT' });
    }
    expect(await t.call(ID, 0, 'write', { subject: 'CN=x', alg: 'rsa2048' })).toMatchObject({ kind: 'smp-error', name: 'EINVAL' });
    expect(await t.call(ID, 0, 'write', { subject: 'CN=x', slot: 9 })).toMatchObject({ kind: 'smp-error', name: 'EINVAL' });
    expect(await t.call(ID, 0, 'write', { subject: 42 })).toMatchObject({ kind: 'smp-error', name: 'EINVAL' });
    await csr(t, 'CN=x', 1);
    expect(await t.call(ID, 2, 'write', { slot: 1, challenge: new Uint8Array(15) })).toMatchObject({ kind: 'smp-error', name: 'EINVAL' });
    expect(await t.call(ID, 2, 'write', { slot: 1, challenge: new Uint8Array(65) })).toMatchObject({ kind: 'smp-error', name: 'EINVAL' });

    const ca = await makeCa();
    const cert = await ca.issue(await csr(t, 'CN=y', 1));
    await t.ok(ID, 1, 'write', { slot: 1, cert: new Uint8Array(cert.rawData) });
    expect(await t.call(ID, 0, 'write', { subject: 'CN=z', slot: 1 })).toMatchObject({ kind: 'smp-error', name: 'EBADSTATE' });
  });

  it('keeps slots across a restart, and erase clears one', async () => {
    const t = await testDevice();
    const ca = await makeCa();
    const cert = await ca.issue(await csr(t, 'CN=keep'));
    await t.ok(ID, 1, 'write', { cert: new Uint8Array(cert.rawData) });
    const again = await testDevice({}, t.dir);
    expect(await again.ok(ID, 3, 'read', {})).toEqual({ key: true, cert: new Uint8Array(cert.rawData) });
    const { sig } = await again.ok(ID, 2, 'write', { challenge: new Uint8Array(20) });
    const key = createPublicKey({ key: Buffer.from(cert.publicKey.rawData), format: 'der', type: 'spki' });
    expect(verify('sha256', new Uint8Array(20), { key, dsaEncoding: 'der' }, sig as Uint8Array)).toBe(true);
    await again.ok(ID, 4, 'write', {});
    expect(await again.ok(ID, 3, 'read', {})).toEqual({ key: false });
  });
});

describe('the simulated gateway’s certification request', () => {
  it('is a PKCS#10 request OpenSSL and the station’s CSR check accept, for the subject asked', async () => {
    const subject = 'CN=F1E1D00000000001,O=Acme Gateways,OU=MUC-3';
    const request = makeCsr(parseDistinguishedName(subject)!);
    const dir = await mkdtemp(join(tmpdir(), 'fieldline-sim-csr-'));
    try {
      await writeFile(join(dir, 'req.pem'), derToPem(request.der, 'CERTIFICATE REQUEST'));
      const out = await opensslOk(['req', '-in', join(dir, 'req.pem'), '-noout', '-verify', '-subject'], dir);
      expect(out).toMatch(/CN\s*=\s*F1E1D00000000001, O\s*=\s*Acme Gateways, OU\s*=\s*MUC-3/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    const checked = await checkCsr(request.der, subject);
    expect(createPublicKey(request.keyPem).export({ type: 'spki', format: 'der' })).toEqual(Buffer.from(checked.publicKeySpki));
  });
});
