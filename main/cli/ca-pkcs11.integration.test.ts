/**
 * The done-when of issue #14 for the CA key in a token, as a technician runs it: `fieldline ca init --pkcs11
 * /usr/lib/softhsm/libsofthsm2.so --token-label station` (the PIN from FIELDLINE_PKCS11_PIN, no CA passphrase
 * anywhere), a full provision of a virtual gateway, the device certificate verified by openssl against the chain,
 * `ca show --json` naming the token, a rolled-back run's revocation in a CRL that openssl verifies, a wrong PIN
 * refused — and no unencrypted private key anywhere in the data directory.
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDevelopmentChainFor } from '../pki/ca-create';
import { tokenSigningKey } from '../pki/pkcs11-key';
import { TokenSession } from '../pki/pkcs11-token';
import { toPem } from '../pki/x509-crypto';
import { lastJsonLine, REPO_ROOT, runFieldline, type CliRun } from '../testing/cli';
import { spawnSimulator, type SpawnedSimulator } from '../testing/sim-process';
import { createSoftHsmToken, SOFTHSM_MODULE, SOFTHSM_SKIP, type SoftHsmToken } from '../testing/softhsm';

const PROFILE = join(REPO_ROOT, 'resources/profiles/gateway-eu.yaml');

/** Every regular file under `dir`, recursively. */
async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await filesUnder(path)));
    else if (entry.isFile()) out.push(path);
  }
  return out;
}

/**
 * DER prefixes of clear private keys: PKCS#8 PrivateKeyInfo (version 0, then the ecPublicKey / rsaEncryption
 * AlgorithmIdentifier) and SEC1 ECPrivateKey (version 1, a 32-byte OCTET STRING).
 */
const CLEAR_KEY_DER = [Buffer.from('020100301306072a8648ce3d0201', 'hex'), Buffer.from('020100300d06092a864886f70d010101', 'hex'), Buffer.from('307702010104', 'hex')];

/** What in `dir` looks like an unencrypted private key: a PEM block other than ENCRYPTED PRIVATE KEY, or clear DER. */
async function clearKeysUnder(dir: string): Promise<string[]> {
  const found: string[] = [];
  for (const path of await filesUnder(dir)) {
    // The data directory of one provision is small; a file this large would itself be a finding.
    if ((await stat(path)).size > 64 * 1024 * 1024) throw new Error(`${path} is unexpectedly large`);
    const bytes = await readFile(path);
    const text = bytes.toString('latin1');
    for (const m of text.matchAll(/-----BEGIN ([A-Z0-9 ]*PRIVATE KEY)-----/g)) if (m[1] !== 'ENCRYPTED PRIVATE KEY') found.push(`${path}: PEM ${m[1]}`);
    for (const der of CLEAR_KEY_DER) if (bytes.includes(der)) found.push(`${path}: DER ${der.toString('hex')}`);
  }
  return found;
}

describe.skipIf(SOFTHSM_SKIP !== undefined)(`fieldline ca init --pkcs11 (done-when of issue #14)${SOFTHSM_SKIP ? ` (skipped: ${SOFTHSM_SKIP})` : ''}`, { timeout: 180_000 }, () => {
  let token: SoftHsmToken;
  let sim: SpawnedSimulator;
  let work: string;
  let dataDir: string;
  const fieldline = (args: string[], env: Record<string, string | undefined> = {}): Promise<CliRun> =>
    runFieldline(args, { FIELDLINE_DATA_DIR: dataDir, FIELDLINE_PKCS11_PIN: token.pin, FIELDLINE_CA_PASSPHRASE: undefined, ...token.env, ...env });

  beforeAll(async () => {
    token = await createSoftHsmToken({ label: 'station' });
    work = await mkdtemp(join(tmpdir(), 'fieldline-p11-cli-'));
    dataDir = join(work, 'data');
    sim = await spawnSimulator({ count: 2, baud: 0, faults: ['fail-diag:name=selftest,gw=1'], extra: ['--delay', 'reboot=100'] });
  });

  afterAll(async () => {
    await sim?.stop();
    await token?.remove();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('ca init in the token, a full provision, the certificate verifies, ca show names the token, no clear key on disk', async () => {
    const init = await fieldline(['ca', 'init', '--pkcs11', SOFTHSM_MODULE, '--token-label', 'station', '--json']);
    expect(init.code, init.stderr).toBe(0);

    const run = await fieldline(['provision', '--port', sim.gateways[0]!.port, '--profile', PROFILE, '--json']);
    expect(run.code, run.stderr + run.stdout).toBe(0);
    expect(lastJsonLine(run.stdout)).toMatchObject({ outcome: 'passed' });

    const identity = lastJsonLine((await fieldline(['smp', 'identity', 'info', '--port', sim.gateways[0]!.port, '--json'])).stdout) as { cert: string };
    await writeFile(join(work, 'device.pem'), identity.cert);
    const show = await fieldline(['ca', 'show', '--json']);
    expect(show.code, show.stderr).toBe(0);
    const ca = lastJsonLine(show.stdout) as { root: { path: string }; intermediate: { path: string }; key: Record<string, unknown> };
    expect(execFileSync('openssl', ['verify', '-CAfile', ca.root.path, '-untrusted', ca.intermediate.path, join(work, 'device.pem')]).toString()).toMatch(/: OK/);
    expect(ca.key).toMatchObject({ store: 'pkcs11', module: SOFTHSM_MODULE, token: 'station', label: 'fieldline-station-ca' });

    expect(await clearKeysUnder(dataDir)).toEqual([]);
    expect((await readdir(join(dataDir, 'ca'))).filter((f) => f.includes('key'))).toEqual(['intermediate.key.pkcs11.json']);

    // The key the CA uses is on the token and refuses to leave it.
    const session = await TokenSession.open({ module: SOFTHSM_MODULE, tokenLabel: 'station', pin: token.pin });
    try {
      const key = await session.findKey({ id: String(ca.key.id) });
      expect(await session.privateKeyProtection(key)).toEqual({ extractable: false, sensitive: true, valueReadable: false });
    } finally {
      await session.close();
    }
  });

  it('a rolled-back run is revoked in a CRL the token signed, which openssl verifies', async () => {
    const run = await fieldline(['provision', '--port', sim.gateways[1]!.port, '--profile', PROFILE, '--json']);
    expect(run.code).toBe(1);
    expect(lastJsonLine(run.stdout)).toMatchObject({ outcome: 'failed', error: { code: 'DIAGNOSTICS_FAILED' } });
    const revoked = JSON.parse((await fieldline(['ca', 'revoked', '--json'])).stdout) as Array<{ serial: string }>;
    expect(revoked).toHaveLength(1);
    const ca = lastJsonLine((await fieldline(['ca', 'show', '--json'])).stdout) as { intermediate: { path: string }; crl: { path: string; revoked: number } };
    expect(ca.crl.revoked).toBe(1);
    const out = execFileSync('openssl', ['crl', '-in', ca.crl.path, '-CAfile', ca.intermediate.path, '-noout', '-text'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    expect(out.toUpperCase()).toContain(`SERIAL NUMBER: ${revoked[0]!.serial.toUpperCase()}`);
    // -verify's verdict goes to stderr.
    expect(execFileSync('sh', ['-c', `openssl crl -in '${ca.crl.path}' -CAfile '${ca.intermediate.path}' -noout 2>&1`], { encoding: 'utf8' })).toMatch(/verify OK/);
  });

  it('ca import --pkcs11 adopts an intermediate whose key is already on the token', async () => {
    const session = await TokenSession.open({ module: SOFTHSM_MODULE, tokenLabel: 'station', pin: token.pin });
    try {
      const key = await session.generateEcKey('org-intermediate');
      const chain = await createDevelopmentChainFor(tokenSigningKey(session, key).publicKey, { now: new Date(), organization: 'Org' });
      await writeFile(join(work, 'org-int.pem'), toPem(chain.intermediate.rawData, 'CERTIFICATE'));
      await writeFile(join(work, 'org-root.pem'), toPem(chain.root.rawData, 'CERTIFICATE'));
    } finally {
      await session.close();
    }
    const other = join(work, 'imported');
    const args = ['ca', 'import', '--cert', join(work, 'org-int.pem'), '--chain', join(work, 'org-root.pem'), '--pkcs11', SOFTHSM_MODULE, '--token-label', 'station', '--data-dir', other, '--json'];
    const both = await fieldline([...args, '--key', join(work, 'org-int.pem')]);
    expect(both.code).toBe(2);
    expect(both.stderr + both.stdout).toContain('not both');
    const noKey = await fieldline(args);
    expect(noKey.code).toBe(2);
    expect(noKey.stderr + noKey.stdout).toContain('--key-label or --key-id');
    const imported = await fieldline([...args, '--key-label', 'org-intermediate']);
    expect(imported.code, imported.stderr).toBe(0);
    expect(lastJsonLine(imported.stdout)).toMatchObject({ key: { store: 'pkcs11', token: 'station', label: 'org-intermediate' } });
    expect(await clearKeysUnder(other)).toEqual([]);
  });

  it('a wrong PIN, or none and no terminal, is a clear error (exit 2)', async () => {
    const wrong = await fieldline(['provision', '--port', sim.gateways[0]!.port, '--profile', PROFILE, '--json'], { FIELDLINE_PKCS11_PIN: 'not-the-pin' });
    expect(wrong.code).toBe(2);
    expect(wrong.stderr + wrong.stdout).toContain('PKCS11_PIN');
    const none = await fieldline(['provision', '--port', sim.gateways[0]!.port, '--profile', PROFILE, '--json'], { FIELDLINE_PKCS11_PIN: undefined });
    expect(none.code).toBe(2);
    expect(none.stderr + none.stdout).toContain('PKCS11_PIN_REQUIRED');
  });
});
