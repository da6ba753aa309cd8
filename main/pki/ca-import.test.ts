/** Importing an organisation's intermediate made with openssl, issuing from it, and refusing what is not usable. */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isFieldlineError } from '../errors';
import { derToPem, makeCsr, makeOrgCa, openssl, opensslOk, type OrgCa } from '../testing/pki';
import { checkCsr } from './csr';
import { caPaths } from './files';
import { importCa, openStationCa } from './station-ca';

const PASS = 'station passphrase';

let work: string;
let org: OrgCa;
let deep: OrgCa;

async function failure(promise: Promise<unknown>): Promise<{ code: string; message: string } | string> {
  return promise.then(
    () => 'resolved',
    (err: unknown) => {
      if (isFieldlineError(err)) return { code: err.code, message: err.message };
      throw err;
    },
  );
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'fieldline-import-'));
  await mkdir(join(work, 'org'));
  await mkdir(join(work, 'deep'));
  org = await makeOrgCa(join(work, 'org'));
  deep = await makeOrgCa(join(work, 'deep'), { middle: true });
});

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

/** Issues for a fresh CSR and returns what `openssl verify` says about it with the station's root and intermediate files. */
async function issueAndVerify(dataDir: string, subject: string): Promise<string> {
  const ca = await openStationCa(dataDir, PASS);
  const csr = await makeCsr(subject);
  const { publicKeySpki } = await checkCsr(csr.der, subject);
  const issued = await ca.issue({ publicKeySpki, subject, sans: ['DNS:gw.acme.example'], validityDays: 365 });
  const leaf = join(dataDir, 'leaf.pem');
  await writeFile(leaf, derToPem(issued.der));
  const paths = caPaths(dataDir);
  const r = await openssl(['verify', '-CAfile', paths.root, '-untrusted', paths.intermediate, leaf]);
  return r.stdout.trim() || r.stderr;
}

describe('importCa', () => {
  it('adopts an organisation intermediate (SEC1 key, P-384 root) and issues certificates openssl verifies', async () => {
    const dataDir = join(work, 'station-a');
    const info = await importCa(dataDir, { certPem: org.intermediatePem, keyPem: org.intermediateKeyPem, chainPem: org.rootPem, passphrase: PASS });
    expect(info.intermediate.subject).toBe('CN=Acme Station CA MUC-3, O=Acme Corp');
    expect(info.root.subject).toBe('CN=Acme Device Root, O=Acme Corp');
    expect(await readFile(caPaths(dataDir).key, 'utf8')).not.toMatch(/PRIVATE KEY/);
    expect(await issueAndVerify(dataDir, 'CN=GW-0001, O=Acme Corp')).toMatch(/leaf\.pem: OK$/);
    const crl = await openssl(['crl', '-in', caPaths(dataDir).crl, '-noout', '-CAfile', caPaths(dataDir).intermediate]);
    expect(crl.stdout + crl.stderr).toContain('verify OK');
  });

  it('keeps issuers between the intermediate and the root in intermediate.pem and in the chain it hands out', async () => {
    const dataDir = join(work, 'station-b');
    // Chain given top-down and with the root first: the order in the file does not matter.
    await importCa(dataDir, { certPem: deep.intermediatePem, keyPem: deep.intermediateKeyPem, chainPem: deep.rootPem + deep.middlePems.join(''), passphrase: PASS });
    const bundle = await readFile(caPaths(dataDir).intermediate, 'utf8');
    expect(bundle.match(/BEGIN CERTIFICATE/g)).toHaveLength(2);
    expect(await issueAndVerify(dataDir, 'CN=GW-0002')).toMatch(/leaf\.pem: OK$/);
    const ca = await openStationCa(dataDir, PASS);
    const { spki } = await makeCsr('CN=x');
    expect((await ca.issue({ publicKeySpki: spki, subject: 'CN=x', sans: [], validityDays: 30 })).chain).toHaveLength(2);
  });

  it('opens an encrypted organisation key with its own passphrase', async () => {
    await opensslOk(['pkcs8', '-topk8', '-in', 'station.key', '-out', 'station.enc.key', '-passout', 'pass:org secret'], org.dir);
    const keyPem = await readFile(join(org.dir, 'station.enc.key'), 'utf8');
    const base = { certPem: org.intermediatePem, keyPem, chainPem: org.rootPem, passphrase: PASS };
    expect(await failure(importCa(join(work, 'enc-1'), base))).toMatchObject({ code: 'CA_IMPORT_INVALID', message: expect.stringMatching(/encrypted/) });
    expect(await failure(importCa(join(work, 'enc-2'), { ...base, keyPassphrase: 'wrong' }))).toMatchObject({ code: 'CA_IMPORT_INVALID' });
    await importCa(join(work, 'enc-3'), { ...base, keyPassphrase: 'org secret' });
    expect(await issueAndVerify(join(work, 'enc-3'), 'CN=GW-0003')).toMatch(/OK$/);
  });

  it('refuses a key of another certificate, a root, a non-CA certificate and an incomplete chain', async () => {
    const base = { certPem: org.intermediatePem, keyPem: org.intermediateKeyPem, chainPem: org.rootPem, passphrase: PASS };
    const refusal = (overrides: Partial<typeof base>) => failure(importCa(join(work, `bad-${Math.random()}`), { ...base, ...overrides }));

    expect(await refusal({ keyPem: deep.intermediateKeyPem })).toMatchObject({ code: 'CA_IMPORT_INVALID', message: expect.stringMatching(/does not belong/) });
    const rootKey = await readFile(join(org.dir, 'root.key'), 'utf8');
    expect(await refusal({ certPem: org.rootPem, keyPem: rootKey })).toMatchObject({ message: expect.stringMatching(/self-signed root/) });
    expect(await refusal({ chainPem: deep.rootPem })).toMatchObject({ message: expect.stringMatching(/holds no certificate that signed/) });
    expect(await refusal({ chainPem: '' })).toMatchObject({ code: 'CA_IMPORT_INVALID' });
    expect(await refusal({ keyPem: 'not a key' })).toMatchObject({ message: expect.stringMatching(/no readable private key/) });
    expect(await refusal({ passphrase: 'short' })).toMatchObject({ code: 'CA_PASSPHRASE_WEAK' });

    await mkdir(join(work, 'leafy'));
    const leafy = await makeOrgCa(join(work, 'leafy'), { intermediateExt: 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\n' });
    expect(await refusal({ certPem: leafy.intermediatePem, keyPem: leafy.intermediateKeyPem, chainPem: leafy.rootPem })).toMatchObject({
      message: expect.stringMatching(/not a CA certificate/),
    });

    // A middle CA with pathlen 0 cannot have the station intermediate below it.
    await mkdir(join(work, 'tight'));
    const tight = await makeOrgCa(join(work, 'tight'), { middle: true, middlePathLen: 0 });
    expect(await refusal({ certPem: tight.intermediatePem, keyPem: tight.intermediateKeyPem, chainPem: tight.rootPem + tight.middlePems.join('') })).toMatchObject({
      message: expect.stringMatching(/"CN=Acme Policy CA, O=Acme Corp" allows 0 CA certificate\(s\) below it/),
    });
  });

  it('refuses to replace an existing CA unless forced', async () => {
    const dataDir = join(work, 'station-c');
    const base = { certPem: org.intermediatePem, keyPem: org.intermediateKeyPem, chainPem: org.rootPem, passphrase: PASS };
    await importCa(dataDir, base);
    expect(await failure(importCa(dataDir, base))).toMatchObject({ code: 'CA_EXISTS' });
    expect((await importCa(dataDir, { ...base, force: true })).replaced).toBeDefined();
  });
});
