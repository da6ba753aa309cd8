import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '../log';
import { initCa } from '../pki/station-ca';
import { createCaHolder, unlockAtStart } from './ca';
import { createEncryptedSecretStore, createFileSecretStore } from './secrets';

const PASS = 'a long enough passphrase';
const logger = createLogger('test');
let dataDir: string;
beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'fieldline-ca-'));
});
afterEach(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

describe('the CA holder', () => {
  it('says when there is no CA, then locked, then ready', async () => {
    const holder = createCaHolder(dataDir, createFileSecretStore(dataDir), logger);
    expect(await holder.state()).toEqual({ initialized: false, ready: false });
    await expect(holder.signer()).rejects.toMatchObject({ code: 'CA_NOT_INITIALIZED' });
    await initCa(dataDir, { passphrase: PASS });
    expect(await holder.state()).toMatchObject({ initialized: true, ready: false, subject: expect.any(String) });
    await expect(holder.signer()).rejects.toMatchObject({ code: 'CA_LOCKED' });
    await expect(holder.unlock('wrong passphrase')).rejects.toMatchObject({ code: 'CA_PASSPHRASE' });
    await holder.unlock(PASS);
    expect(holder.ready).toBe(true);
    await expect(holder.signer()).resolves.toBeDefined();
  });

  it('remembers the passphrase only in an encrypted store, and unlocks with it at start', async () => {
    await initCa(dataDir, { passphrase: PASS });
    const plain = createFileSecretStore(dataDir);
    await createCaHolder(dataDir, plain, logger).unlock(PASS, true);
    expect(await plain.get('ca-passphrase')).toBeUndefined();

    const cipher = { encryptString: (s: string) => Buffer.from(s).reverse(), decryptString: (b: Buffer) => Buffer.from(b).reverse().toString() };
    const sealed = createEncryptedSecretStore(dataDir, cipher, true);
    await createCaHolder(dataDir, sealed, logger).unlock(PASS, true);
    const next = createCaHolder(dataDir, sealed, logger);
    await unlockAtStart(next, sealed, undefined, logger);
    expect(next.ready).toBe(true);
  });

  it('starts locked, with a warning, when the environment passphrase is wrong', async () => {
    await initCa(dataDir, { passphrase: PASS });
    const warnings: string[] = [];
    const holder = createCaHolder(dataDir, createFileSecretStore(dataDir), logger);
    await unlockAtStart(holder, createFileSecretStore(dataDir), 'not the passphrase', createLogger('t', (r) => void warnings.push(r.message)));
    expect(holder.ready).toBe(false);
    expect(warnings).toEqual(['could not unlock the station CA at start']);
  });
});
