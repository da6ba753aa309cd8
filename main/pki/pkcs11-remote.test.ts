/**
 * The bound on every PKCS#11 call: a worker whose token blocks its thread (as a module stuck in a synchronous
 * C_Login or C_Sign does) is given up on after the time limit, every session of it fails from then on, and the next
 * open gets a fresh worker. The real worker is exercised against SoftHSM2 by station-ca-pkcs11.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { openRemoteToken } from './pkcs11-remote';

const workerEntry = new URL('../testing/hung-pkcs11-worker.mjs', import.meta.url);
const options = { module: '/fake.so', tokenLabel: 'station', pin: '1234' };

describe('the PKCS#11 worker', () => {
  it('a token that hangs while the session opens (C_Login) is PKCS11_TOKEN after the time limit, not a hang', async () => {
    const started = Date.now();
    await expect(openRemoteToken({ ...options, tokenLabel: 'hang', timeoutMs: 1500, workerEntry })).rejects.toMatchObject({
      code: 'PKCS11_TOKEN',
      message: 'the token did not answer opening a session within 1500 ms',
    });
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('a token that hangs mid-signature fails that call, then every call of the session; a new open gets a new worker', async () => {
    const session = await openRemoteToken({ ...options, timeoutMs: 500, workerEntry });
    const key = await session.findKey({ label: 'ca' });
    await expect(session.signDigest(key, new Uint8Array(32))).rejects.toMatchObject({ code: 'PKCS11_TOKEN', message: expect.stringContaining('did not answer signing within') });
    await expect(session.findKey({ label: 'ca' })).rejects.toMatchObject({ code: 'PKCS11_TOKEN', message: expect.stringContaining('stopped answering') });
    await session.close();

    const fresh = await openRemoteToken({ ...options, timeoutMs: 500, workerEntry });
    await expect(fresh.findKey({ label: 'ca' })).resolves.toMatchObject({ label: 'ca' });
    await fresh.close();
  });
});
