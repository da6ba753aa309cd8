/**
 * The core with a station CA whose key is in a PKCS#11 token (SoftHSM2): the signer is opened with the token PIN
 * (askPin / caPin), never with the passphrase; a PIN is never remembered; a wrong PIN leaves an open CA as it was;
 * and core.close() ends the token session.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../log';
import { checkCsr } from '../pki/csr';
import { initCa } from '../pki/station-ca';
import type { Signer } from '../pki/types';
import { makeCsr } from '../testing/pki';
import { createSoftHsmToken, SOFTHSM_SKIP, type SoftHsmToken } from '../testing/softhsm';
import { createCaHolder, unlockAtStart } from './ca';
import { createCore } from './core';
import { createEncryptedSecretStore } from './secrets';

const logger = createLogger('test');

describe.skipIf(SOFTHSM_SKIP !== undefined)(`the core with a token CA${SOFTHSM_SKIP ? ` (skipped: ${SOFTHSM_SKIP})` : ''}`, { timeout: 60_000 }, () => {
  let token: SoftHsmToken;
  let work: string;
  let dataDir: string;

  beforeAll(async () => {
    token = await createSoftHsmToken();
    work = await mkdtemp(join(tmpdir(), 'fieldline-core-p11-'));
    dataDir = join(work, 'data');
    await initCa(dataDir, { pkcs11: { module: token.module, tokenLabel: token.label, pin: token.pin } });
  });

  afterAll(async () => {
    await token?.remove();
    if (work) await rm(work, { recursive: true, force: true });
  });

  const issueWith = async (signer: Signer): Promise<unknown> => {
    const csr = await makeCsr('CN=GW-CORE');
    return signer.issue({ publicKeySpki: (await checkCsr(csr.der, 'CN=GW-CORE')).publicKeySpki, subject: 'CN=GW-CORE', sans: [], validityDays: 30 });
  };

  it('asks for the PIN, not the passphrase, and close() ends the token session', async () => {
    const asked: string[] = [];
    const core = createCore({
      dataDir,
      logger,
      askPassphrase: async () => (asked.push('passphrase'), 'a passphrase'),
      askPin: async () => (asked.push('pin'), token.pin),
    });
    const signer = await core.signer();
    expect(asked).toEqual(['pin']);
    await expect(issueWith(signer)).resolves.toMatchObject({ record: { subject: 'CN=GW-CORE' } });
    await core.close();
    expect(core.ca.ready).toBe(false);
    await expect(issueWith(signer)).rejects.toMatchObject({ code: 'PKCS11_TOKEN', message: expect.stringContaining('closed') });
  });

  it('a wrong PIN on an open CA is refused and leaves the open CA working; the PIN is never remembered', async () => {
    const cipher = { encryptString: (s: string) => Buffer.from(s).reverse(), decryptString: (b: Buffer) => Buffer.from(b).reverse().toString() };
    const secrets = createEncryptedSecretStore(work, cipher, true);
    const holder = createCaHolder(dataDir, secrets, logger);
    expect(await holder.keyStore()).toBe('pkcs11');
    await holder.unlock(token.pin, true);
    expect(await secrets.get('ca-passphrase')).toBeUndefined();
    const signer = await holder.signer();
    await expect(holder.unlock('not-the-pin')).rejects.toMatchObject({ code: 'PKCS11_PIN' });
    await expect(issueWith(await holder.signer())).resolves.toBeDefined();
    expect(await holder.signer()).toBe(signer);
    await holder.close();
  });

  it('the station unlocks at start with the PIN from the environment (FIELDLINE_PKCS11_PIN), not the passphrase', async () => {
    const cipher = { encryptString: (s: string) => Buffer.from(s).reverse(), decryptString: (b: Buffer) => Buffer.from(b).reverse().toString() };
    const secrets = createEncryptedSecretStore(join(work, 'start'), cipher, true);
    const viaPassphrase = createCaHolder(dataDir, secrets, logger);
    await unlockAtStart(viaPassphrase, secrets, token.pin, logger);
    expect(viaPassphrase.ready).toBe(false);
    const viaPin = createCaHolder(dataDir, secrets, logger);
    await unlockAtStart(viaPin, secrets, 'a passphrase', logger, token.pin);
    expect(viaPin.ready).toBe(true);
    await viaPin.close();
  });
});
