/**
 * The station CA with its intermediate key in a PKCS#11 token (SoftHSM2 in a temporary folder), judged by openssl:
 * the key is made on the token and cannot leave it, certificates and CRLs are signed there, the CA folder holds a
 * reference and no key, and a wrong PIN, a missing token or a bad module are clear errors. The CA's sessions run in
 * the PKCS#11 worker; the test's own TokenSessions (to look at the key) share the process's login with it.
 */
import { verify } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isFieldlineError } from '../errors';
import { createSoftHsmToken, SOFTHSM_SKIP, type SoftHsmToken } from '../testing/softhsm';
import { derToPem, makeCsr, openssl, opensslOk } from '../testing/pki';
import { createDevelopmentChainFor } from './ca-create';
import { checkCsr } from './csr';
import { caPaths } from './files';
import { tokenSigningKey } from './pkcs11-key';
import { TokenSession } from './pkcs11-token';
import { caInfo, importCa, initCa, openStationCa, type StationCa } from './station-ca';
import { toPem } from './x509-crypto';

const NOW = new Date(Math.floor(Date.now() / 1000) * 1000);

async function failure(promise: Promise<unknown>): Promise<{ code: string; message: string } | string> {
  return promise.then(
    () => 'resolved',
    (err: unknown) => (isFieldlineError(err) ? { code: err.code, message: err.message } : String(err)),
  );
}

describe.skipIf(SOFTHSM_SKIP !== undefined)(`station CA in a PKCS#11 token${SOFTHSM_SKIP ? ` (skipped: ${SOFTHSM_SKIP})` : ''}`, { timeout: 60_000 }, () => {
  let token: SoftHsmToken;
  let work: string;
  let dataDir: string;
  let ca: StationCa;
  const pkcs11 = (): { module: string; tokenLabel: string; pin: string } => ({ module: token.module, tokenLabel: token.label, pin: token.pin });

  beforeAll(async () => {
    token = await createSoftHsmToken();
    // SoftHSM2 reads its tokens when the module is initialised: the import test's token is made before that.
    await token.addToken('org');
    work = await mkdtemp(join(tmpdir(), 'fieldline-ca-p11-'));
    dataDir = join(work, 'data');
    await initCa(dataDir, { pkcs11: { ...pkcs11(), keyLabel: 'station-ca' }, organization: 'Acme Token', clock: () => NOW });
    ca = await openStationCa(dataDir, token.pin, { clock: () => NOW });
  });

  afterAll(async () => {
    await ca?.close();
    await token?.remove();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('keeps a reference to the token key and no key file; caInfo says where the key lives', async () => {
    const paths = caPaths(dataDir);
    expect((await readdir(paths.dir)).sort()).toEqual(['intermediate.crl.pem', 'intermediate.key.pkcs11.json', 'intermediate.pem', 'revoked.json', 'root.pem']);
    const ref = await readFile(paths.keyRef, 'utf8');
    expect(ref).not.toContain(token.pin);
    const info = await caInfo(dataDir);
    expect(info.key).toMatchObject({ store: 'pkcs11', module: token.module, token: 'station', label: 'station-ca', path: paths.keyRef });
    expect(info.key.store === 'pkcs11' && info.key.id).toMatch(/^[0-9a-f]{32}$/);
  });

  it('the private key on the token is sensitive and not extractable, and its value cannot be read', async () => {
    const session = await TokenSession.open(pkcs11());
    try {
      const key = await session.findKey({ label: 'station-ca' });
      expect(await session.privateKeyProtection(key)).toEqual({ extractable: false, sensitive: true, valueReadable: false });
      // The certificate the CA installed is for this very key.
      const info = await caInfo(dataDir);
      const cert = await readFile(info.intermediate.path, 'utf8');
      const signature = await tokenSigningKey(session, key).sign(Buffer.from('probe'));
      expect(verify('sha256', Buffer.from('probe'), { key: cert, dsaEncoding: 'ieee-p1363' }, signature)).toBe(true);
    } finally {
      await session.close();
    }
  });

  it('issues device certificates through the token that openssl verifies against the chain', async () => {
    const csr = await makeCsr('CN=GW-P11-1,O=Acme');
    const checked = await checkCsr(csr.der, 'CN=GW-P11-1,O=Acme');
    const issued = await ca.issue({ publicKeySpki: checked.publicKeySpki, subject: 'CN=GW-P11-1,O=Acme', sans: ['DNS:gw-p11-1.example'], validityDays: 365 });
    await writeFile(join(work, 'leaf.pem'), derToPem(issued.der));
    const { root, intermediate } = await caInfo(dataDir);
    expect(await opensslOk(['verify', '-CAfile', root.path, '-untrusted', intermediate.path, join(work, 'leaf.pem')])).toMatch(/OK/);
    // Concurrent issues share one session: they are queued, not interleaved (C_SignInit/C_Sign is a pair).
    const many = await Promise.all(Array.from({ length: 8 }, () => ca.issue({ publicKeySpki: checked.publicKeySpki, subject: 'CN=GW-P11-2', sans: [], validityDays: 30 })));
    for (const [i, cert] of many.entries()) {
      await writeFile(join(work, `many-${i}.pem`), derToPem(cert.der));
      expect((await openssl(['verify', '-CAfile', root.path, '-untrusted', intermediate.path, join(work, `many-${i}.pem`)])).code).toBe(0);
    }
  });

  it('signs the CRL through the token: it verifies with openssl and lists the revoked serial', async () => {
    await ca.revoke('00:AB:CD:EF', 'rolled back');
    const { intermediate, crlPath } = await caInfo(dataDir);
    const out = await openssl(['crl', '-in', crlPath, '-noout', '-text', '-CAfile', intermediate.path]);
    expect(out.code, out.stderr).toBe(0);
    expect(out.stderr + out.stdout).toMatch(/verify OK/);
    expect(out.stdout).toMatch(/Serial Number: ABCDEF/i);
  });

  it('refuses a wrong PIN, a token that is not there and a module that is not one with clear codes', async () => {
    expect(await failure(openStationCa(dataDir, 'not-the-pin'))).toMatchObject({ code: 'PKCS11_PIN' });
    expect(await failure(initCa(join(work, 'other'), { pkcs11: { ...pkcs11(), tokenLabel: 'absent' } }))).toMatchObject({
      code: 'PKCS11_TOKEN',
      message: expect.stringMatching(/present: (?=.*"station" \(serial \w+\))(?=.*"org")/),
    });
    expect(await failure(initCa(join(work, 'other'), { pkcs11: { ...pkcs11(), module: join(work, 'no-such-module.so') } }))).toMatchObject({ code: 'PKCS11_UNAVAILABLE' });
    expect(await failure(initCa(join(work, 'other'), { pkcs11: { ...pkcs11(), module: '/etc/hostname' } }))).toMatchObject({ code: 'PKCS11_UNAVAILABLE' });
    // A second init on the same token under the same key label would shadow the first CA's key: refused.
    expect(await failure(initCa(join(work, 'other'), { pkcs11: { ...pkcs11(), keyLabel: 'station-ca' } }))).toMatchObject({ code: 'PKCS11_TOKEN' });
  });

  it('a token that is gone when the CA is unlocked is PKCS11_TOKEN, naming the token', async () => {
    const ref = caPaths(dataDir).keyRef;
    const text = await readFile(ref, 'utf8');
    const json = JSON.parse(text) as { token: { serial: string } };
    // The same label on another token (serial) is not the CA's token.
    await writeFile(ref, JSON.stringify({ ...json, token: { ...json.token, serial: '0000000000000000' } }));
    try {
      expect(await failure(openStationCa(dataDir, token.pin))).toMatchObject({ code: 'PKCS11_TOKEN', message: expect.stringContaining('token "station" (serial 0000000000000000)') });
    } finally {
      await writeFile(ref, text);
    }
  });

  it('imports an intermediate whose key is already on the token, and refuses one whose key is not', async () => {
    const session = await TokenSession.open({ ...pkcs11(), tokenLabel: 'org' });
    let chain: Awaited<ReturnType<typeof createDevelopmentChainFor>>;
    try {
      const key = await session.generateEcKey('org-intermediate');
      chain = await createDevelopmentChainFor(tokenSigningKey(session, key).publicKey, { now: NOW, organization: 'Org' });
    } finally {
      await session.close();
    }
    const certPem = toPem(chain.intermediate.rawData, 'CERTIFICATE');
    const chainPem = toPem(chain.root.rawData, 'CERTIFICATE');
    const imported = join(work, 'imported');
    expect(await failure(importCa(imported, { certPem, chainPem, pkcs11: { ...pkcs11(), tokenLabel: 'org', keyLabel: 'no-such-key' } }))).toMatchObject({
      code: 'PKCS11_TOKEN',
      message: expect.stringContaining('no private key with label "no-such-key"'),
    });
    expect(await failure(importCa(imported, { certPem, chainPem, pkcs11: { ...pkcs11(), keyLabel: 'station-ca' } }))).toMatchObject({ code: 'CA_IMPORT_INVALID' });
    const other = await failure(importCa(imported, { certPem: await readFile((await caInfo(dataDir)).intermediate.path, 'utf8'), chainPem, pkcs11: { ...pkcs11(), tokenLabel: 'org', keyLabel: 'org-intermediate' } }));
    expect(other).toMatchObject({ code: 'CA_IMPORT_INVALID', message: expect.stringContaining("token's key does not belong") });

    const info = await importCa(imported, { certPem, chainPem, pkcs11: { ...pkcs11(), tokenLabel: 'org', keyLabel: 'org-intermediate' } });
    expect(info.key).toMatchObject({ store: 'pkcs11', token: 'org', label: 'org-intermediate' });
    const opened = await openStationCa(imported, token.pin);
    try {
      const csr = await makeCsr('CN=GW-ORG');
      const issued = await opened.issue({ publicKeySpki: (await checkCsr(csr.der, 'CN=GW-ORG')).publicKeySpki, subject: 'CN=GW-ORG', sans: [], validityDays: 30 });
      await writeFile(join(work, 'org-leaf.pem'), derToPem(issued.der));
      expect(await opensslOk(['verify', '-CAfile', info.root.path, '-untrusted', info.intermediate.path, join(work, 'org-leaf.pem')])).toMatch(/OK/);
    } finally {
      await opened.close();
    }
  });
});
