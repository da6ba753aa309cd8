/** The station CA end to end, judged by the real openssl CLI: init, issue for a device CSR, verify, revoke, CRL. */
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isFieldlineError } from '../errors';
import { derToPem, makeCsr, openssl, opensslOk } from '../testing/pki';
import { checkCsr } from './csr';
import { caPaths } from './files';
import { readSealedKey } from './key-vault';
import { caInfo, initCa, listRevoked, openStationCa, type StationCa } from './station-ca';

const PASS = 'station passphrase';
// The CA's clock is injected and fixed (whole seconds, as certificates store time) at the real time, so that the
// plain `openssl verify` — which checks against the real clock — agrees with it.
const NOW = new Date(Math.floor(Date.now() / 1000) * 1000);

async function failure(promise: Promise<unknown>): Promise<string | unknown> {
  return promise.then(
    () => 'resolved',
    (err: unknown) => (isFieldlineError(err) ? err.code : err),
  );
}

let work: string;
let dataDir: string;
let ca: StationCa;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'fieldline-ca-'));
  dataDir = join(work, 'data');
  await initCa(dataDir, { passphrase: PASS, organization: 'Acme Test', clock: () => NOW });
  ca = await openStationCa(dataDir, PASS, { clock: () => NOW });
});

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

async function issueFor(subject: string, sans: string[] = [], validityDays = 365) {
  const csr = await makeCsr(subject);
  const checked = await checkCsr(csr.der, subject);
  return ca.issue({ publicKeySpki: checked.publicKeySpki, subject, sans, validityDays });
}

describe('initCa', () => {
  it('writes root, intermediate, encrypted key, CRL and list, owner-only', async () => {
    const paths = caPaths(dataDir);
    expect((await readdir(paths.dir)).sort()).toEqual(['intermediate.crl.pem', 'intermediate.key.enc', 'intermediate.pem', 'revoked.json', 'root.pem']);
    expect((await stat(paths.dir)).mode & 0o777).toBe(0o700);
    for (const f of await readdir(paths.dir)) expect((await stat(join(paths.dir, f))).mode & 0o777, f).toBe(0o600);
    for (const f of await readdir(paths.dir)) expect(await readFile(join(paths.dir, f), 'utf8'), f).not.toMatch(/PRIVATE KEY/);
  });

  it('makes a P-256 root (10 y, pathLen 1) and intermediate (5 y, pathLen 0) that openssl accepts', async () => {
    const paths = caPaths(dataDir);
    const root = new x509.X509Certificate(await readFile(paths.root, 'utf8'));
    const inter = new x509.X509Certificate(await readFile(paths.intermediate, 'utf8'));
    for (const [cert, pathLen, years] of [[root, 1, 10], [inter, 0, 5]] as const) {
      const bc = cert.getExtension(x509.BasicConstraintsExtension);
      expect(bc?.critical && bc.ca && bc.pathLength).toBe(pathLen === 0 ? 0 : pathLen);
      expect(bc?.ca).toBe(true);
      const ku = cert.getExtension(x509.KeyUsagesExtension);
      expect(ku?.critical).toBe(true);
      expect(ku?.usages).toBe(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign);
      expect(cert.publicKey.algorithm).toMatchObject({ name: 'ECDSA', namedCurve: 'P-256' });
      expect(cert.notAfter.getUTCFullYear()).toBe(NOW.getUTCFullYear() + years);
      expect(cert.subject).toContain('O=Acme Test');
    }
    expect(await root.isSelfSigned()).toBe(true);
    expect(inter.issuer).toBe(root.subject);
    expect(await opensslOk(['verify', '-CAfile', paths.root, paths.intermediate])).toContain(': OK');
  });

  it('caInfo names every file; refuses a second CA unless forced, and keeps the replaced one', async () => {
    const info = await caInfo(dataDir);
    expect(info.root.path).toBe(caPaths(dataDir).root);
    expect(info.intermediate.subject).toBe(ca.issuer);
    expect(info.keyPath).toBe(caPaths(dataDir).key);
    expect(info.crl).toMatchObject({ path: caPaths(dataDir).crl, revoked: 0 });
    expect(info.root.fingerprint).toMatch(/^[0-9a-f]{64}$/);

    const other = join(work, 'other');
    const first = await initCa(other, { passphrase: PASS });
    const firstPem = await readFile(first.intermediate.path, 'utf8');
    expect(await failure(initCa(other, { passphrase: PASS }))).toBe('CA_EXISTS');
    const second = await initCa(other, { passphrase: PASS, force: true });
    expect(second.intermediate.fingerprint).not.toBe(first.intermediate.fingerprint);
    expect(second.replaced).toBeDefined();
    const kept = await readFile(join(second.replaced as string, 'intermediate.pem'), 'utf8');
    expect(kept).toBe(firstPem);
    expect((await readdir(other)).filter((f) => f.includes('staging'))).toEqual([]);

    // A key file from another CA, even one the passphrase opens, is refused: it does not belong to the certificate.
    await writeFile(caPaths(other).key, await readFile(join(second.replaced as string, 'intermediate.key.enc')));
    expect(await failure(openStationCa(other, PASS))).toBe('CA_FILES_INVALID');
  });

  it('refuses short passphrases, and reports a missing CA as CA_NOT_INITIALIZED', async () => {
    expect(await failure(initCa(join(work, 'weak'), { passphrase: 'short' }))).toBe('CA_PASSPHRASE_WEAK');
    const empty = join(work, 'empty');
    expect(await failure(caInfo(empty))).toBe('CA_NOT_INITIALIZED');
    expect(await failure(openStationCa(empty, PASS))).toBe('CA_NOT_INITIALIZED');
    expect(() => listRevoked(empty)).toThrow(expect.objectContaining({ code: 'CA_NOT_INITIALIZED' }));
  });

  it('opens only with the right passphrase, and the key file holds no trace of the key', async () => {
    expect(await failure(openStationCa(dataDir, 'wrong passphrase'))).toBe('CA_PASSPHRASE');
    const paths = caPaths(dataDir);
    const pkcs8 = Buffer.from(await readSealedKey(paths.key, PASS));
    const file = await readFile(paths.key);
    expect(file.includes(pkcs8)).toBe(false);
    expect(file.includes(Buffer.from(pkcs8.toString('base64')))).toBe(false);
    expect(file.includes(pkcs8.subarray(pkcs8.length - 40))).toBe(false);
  });
});

describe('issuing', () => {
  it('issues a device certificate that openssl verifies against root and intermediate', async () => {
    const issued = await issueFor('CN=GW-0123456789ABCDEF, O=Acme', ['DNS:gw-0123.acme.example', 'URI:urn:acme:gw:0123', 'IP:10.1.2.3', 'email:ops@acme.example']);
    const { root, intermediate } = ca.trustChainPem();
    expect(root).toBe(await readFile(caPaths(dataDir).root, 'utf8'));
    await writeFile(join(work, 'root.pem'), root);
    await writeFile(join(work, 'intermediate.pem'), intermediate);
    await writeFile(join(work, 'leaf.pem'), derToPem(issued.der));
    const r = await openssl(['verify', '-CAfile', 'root.pem', '-untrusted', 'intermediate.pem', 'leaf.pem'], work);
    expect(r.stdout.trim(), r.stderr).toBe('leaf.pem: OK');
    // And the usage an SMP gateway's TLS client certificate needs.
    const purpose = await openssl(['verify', '-purpose', 'sslclient', '-CAfile', 'root.pem', '-untrusted', 'intermediate.pem', 'leaf.pem'], work);
    expect(purpose.stdout.trim(), purpose.stderr).toBe('leaf.pem: OK');
    expect(issued.chain.map((d) => Buffer.from(d))).toEqual([Buffer.from(x509.PemConverter.decodeFirst(intermediate))]);
  });

  it('puts the profile’s subject, SANs, validity and the end-entity extensions in the certificate', async () => {
    const issued = await issueFor('CN=GW-0001,O=Acme', ['DNS:gw-0001.acme.example', 'IP:fd00::1'], 730);
    const cert = new x509.X509Certificate(issued.der);
    expect(cert.subject).toBe('CN=GW-0001, O=Acme');
    expect(cert.notBefore.getTime()).toBe(NOW.getTime() - 5 * 60_000);
    expect(cert.notAfter.getTime()).toBe(NOW.getTime() + 730 * 86_400_000);
    const bc = cert.getExtension(x509.BasicConstraintsExtension);
    expect(bc).toMatchObject({ critical: true, ca: false });
    const ku = cert.getExtension(x509.KeyUsagesExtension);
    expect(ku).toMatchObject({ critical: true, usages: x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyAgreement });
    expect(cert.getExtension(x509.ExtendedKeyUsageExtension)?.usages).toEqual([x509.ExtendedKeyUsage.clientAuth]);
    const inter = new x509.X509Certificate(ca.trustChainPem().intermediate);
    expect(cert.getExtension(x509.AuthorityKeyIdentifierExtension)?.keyId).toBe(inter.getExtension(x509.SubjectKeyIdentifierExtension)?.keyId);
    expect(cert.getExtension(x509.SubjectKeyIdentifierExtension)?.keyId).toMatch(/^[0-9a-f]{40}$/);
    const san = cert.getExtension(x509.SubjectAlternativeNameExtension);
    expect(san?.names.toJSON()).toEqual([{ type: 'dns', value: 'gw-0001.acme.example' }, { type: 'ip', value: 'fd00::1' }]);
    expect(issued.record).toMatchObject({ serial: cert.serialNumber, subject: 'CN=GW-0001, O=Acme', issuer: ca.issuer, notAfter: cert.notAfter.toISOString() });

    await writeFile(join(work, 'gw-0001.pem'), derToPem(issued.der));
    const text = await opensslOk(['x509', '-in', 'gw-0001.pem', '-noout', '-text'], work);
    expect(text).toMatch(/Basic Constraints: critical\s+CA:FALSE/);
    expect(text).toMatch(/Key Usage: critical\s+Digital Signature, Key Agreement/);
    expect(text).toMatch(/Extended Key Usage:\s+TLS Web Client Authentication/);
    expect(text).toContain('DNS:gw-0001.acme.example, IP Address:FD00:0:0:0:0:0:0:1');
  });

  it('gives every certificate a unique random 128-bit positive serial', async () => {
    const { spki } = await makeCsr('CN=x');
    const serials = new Set<string>();
    for (let i = 0; i < 40; i++) {
      const issued = await ca.issue({ publicKeySpki: spki, subject: 'CN=x', sans: [], validityDays: 1 });
      expect(issued.record.serial).toMatch(/^[89a-f][0-9a-f]{31}$/);
      serials.add(issued.record.serial);
    }
    expect(serials.size).toBe(40);
  });

  it('refuses certificates that would outlive the intermediate, bad SANs, bad subjects and non-P-256 keys', async () => {
    const { spki } = await makeCsr('CN=x');
    const p384 = await makeCsr('CN=x', 'P-384');
    const base = { publicKeySpki: spki, subject: 'CN=x', sans: [] as string[], validityDays: 30 };
    expect(await failure(ca.issue({ ...base, validityDays: 6 * 365 }))).toBe('CA_VALIDITY');
    expect(await failure(ca.issue({ ...base, sans: ['DNS:bad name'] }))).toBe('INVALID_ARGUMENT');
    expect(await failure(ca.issue({ ...base, sans: ['IP:300.1.1.1'] }))).toBe('INVALID_ARGUMENT');
    expect(await failure(ca.issue({ ...base, sans: ['otherName:x'] }))).toBe('INVALID_ARGUMENT');
    expect(await failure(ca.issue({ ...base, subject: 'garbage' }))).toBe('INVALID_ARGUMENT');
    expect(await failure(ca.issue({ ...base, validityDays: 0 }))).toBe('INVALID_ARGUMENT');
    expect(await failure(ca.issue({ ...base, publicKeySpki: p384.spki }))).toBe('INVALID_ARGUMENT');
  });
});

describe('revocation', () => {
  it('lists the serial, and writes a CRL signed by the intermediate that openssl reads and enforces', async () => {
    const issued = await issueFor('CN=GW-REVOKED, O=Acme');
    const serial = issued.record.serial;
    await ca.revoke(serial, 'rolled back: diagnostics failed');
    expect(listRevoked(dataDir)).toEqual([{ serial, reason: 'rolled back: diagnostics failed', time: NOW.toISOString() }]);

    const crlPath = caPaths(dataDir).crl;
    const text = await opensslOk(['crl', '-in', crlPath, '-noout', '-text']);
    expect(text).toContain(`Serial Number: ${serial.toUpperCase()}`);
    expect(text).toContain('Cessation Of Operation');
    expect(text).toMatch(/CRL Number:\s*\n\s*2\b/);
    const inter = join(work, 'crl-issuer.pem');
    await writeFile(inter, ca.trustChainPem().intermediate);
    const checked = await openssl(['crl', '-in', crlPath, '-noout', '-CAfile', inter]);
    expect(checked.stderr + checked.stdout).toContain('verify OK');

    await writeFile(join(work, 'revoked-leaf.pem'), derToPem(issued.der));
    await writeFile(join(work, 'chain.pem'), ca.trustChainPem().root + ca.trustChainPem().intermediate);
    const verdict = await openssl(['verify', '-crl_check', '-CRLfile', crlPath, '-CAfile', 'chain.pem', 'revoked-leaf.pem'], work);
    expect(verdict.code).not.toBe(0);
    expect(verdict.stdout + verdict.stderr).toMatch(/certificate revoked/);
  });

  it('is idempotent, keeps concurrent revocations, and maps RFC 5280 reason names', async () => {
    const before = listRevoked(dataDir).length;
    const serials = await Promise.all([1, 2, 3, 4].map(async (i) => (await issueFor(`CN=GW-C${i}`)).record.serial));
    await Promise.all(serials.map((s) => ca.revoke(s, 'rollback')));
    await ca.revoke(serials[0] as string, 'rollback');
    await ca.revoke((serials[1] as string).toUpperCase().replace(/(..)(?=.)/g, '$1:'), 'rollback');
    const keyCompromise = (await issueFor('CN=GW-KC')).record.serial;
    await ca.revoke(keyCompromise, 'keyCompromise');
    const listed = listRevoked(dataDir);
    expect(listed).toHaveLength(before + 5);
    expect(listed.map((r) => r.serial)).toEqual(expect.arrayContaining([...serials, keyCompromise]));
    const text = await opensslOk(['crl', '-in', caPaths(dataDir).crl, '-noout', '-text']);
    expect(text.match(/Serial Number:/g)).toHaveLength(before + 5);
    expect(text).toContain('Key Compromise');
    expect(await failure(ca.revoke('not-hex', 'x'))).toBe('INVALID_ARGUMENT');
  });

  it('two StationCa objects of one folder in one process (no shared queue) revoke at once and lose no entry', async () => {
    const other = await openStationCa(dataDir, PASS, { clock: () => NOW });
    const before = listRevoked(dataDir).length;
    const serials = await Promise.all([1, 2, 3, 4, 5, 6].map(async (i) => (await issueFor(`CN=GW-T${i}`)).record.serial));
    await Promise.all(serials.map((s, i) => (i % 2 === 0 ? ca : other).revoke(s, 'rollback')));
    expect(listRevoked(dataDir)).toHaveLength(before + 6);
    expect(listRevoked(dataDir).map((r) => r.serial)).toEqual(expect.arrayContaining(serials));
  });

  it('rewrites a missing CRL when the CA is opened', async () => {
    const crlPath = caPaths(dataDir).crl;
    await rm(crlPath);
    await openStationCa(dataDir, PASS, { clock: () => NOW });
    const text = await opensslOk(['crl', '-in', crlPath, '-noout', '-text']);
    expect(text.match(/Serial Number:/g)).toHaveLength(listRevoked(dataDir).length);
  });
});
