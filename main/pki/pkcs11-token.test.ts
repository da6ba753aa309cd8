/**
 * What SoftHSM2 cannot be made to do: a token that stops answering mid-signature, one pulled out, a locked PIN, a
 * module that will not load or initialise. A fake pkcs11js binding (loadBinding) plays the token; the session must
 * turn each into a FieldlineError with its code, bound the hung call, and refuse work after it.
 */
import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Binding } from './pkcs11-module';
import { TokenSession, type OpenTokenOptions } from './pkcs11-token';

const C = {
  CKF_SERIAL_SESSION: 4,
  CKF_RW_SESSION: 2,
  CKU_USER: 1,
  CKO_PUBLIC_KEY: 2,
  CKO_PRIVATE_KEY: 3,
  CKA_CLASS: 0,
  CKA_LABEL: 3,
  CKA_ID: 0x102,
  CKA_KEY_TYPE: 0x100,
  CKA_SIGN: 0x108,
  CKA_EC_PARAMS: 0x180,
  CKA_EC_POINT: 0x181,
  CKK_EC: 3,
  CKM_ECDSA: 0x1041,
} as const;

const PRIVATE = Buffer.from([1]);
const PUBLIC = Buffer.from([2]);
const jwk = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).publicKey.export({ format: 'jwk' });
const POINT = Buffer.concat([Buffer.from([0x04]), Buffer.from(jwk.x as string, 'base64url'), Buffer.from(jwk.y as string, 'base64url')]);

interface FakeBehaviour {
  load?: () => void;
  initialize?: () => void;
  login?: () => void;
  sign?: () => Promise<Buffer>;
}

/** A pkcs11js stand-in with one token ("station") holding one EC P-256 key pair ("ca"). */
function fakeBinding(behaviour: FakeBehaviour): () => Promise<Binding> {
  class PKCS11 {
    private found: Buffer[] = [];
    load(): void {
      behaviour.load?.();
    }
    C_Initialize(): void {
      behaviour.initialize?.();
    }
    C_Finalize(): void {}
    close(): void {}
    C_GetSlotList(): Buffer[] {
      return [Buffer.from([0])];
    }
    C_GetTokenInfo(): { label: string; serialNumber: string; manufacturerID: string; model: string } {
      return { label: 'station'.padEnd(32), serialNumber: '1234'.padEnd(16), manufacturerID: 'fake', model: 'fake' };
    }
    C_OpenSession(): Buffer {
      return Buffer.from([9]);
    }
    C_CloseSession(): void {}
    C_Login(): void {
      behaviour.login?.();
    }
    C_FindObjectsInit(_session: Buffer, template: Array<{ type: number; value?: unknown }>): void {
      const cls = template.find((a) => a.type === C.CKA_CLASS)?.value;
      this.found = cls === C.CKO_PRIVATE_KEY ? [PRIVATE] : [PUBLIC];
    }
    C_FindObjects(): Buffer[] {
      return this.found;
    }
    C_FindObjectsFinal(): void {}
    C_GetAttributeValue(_session: Buffer, _object: Buffer, attrs: Array<{ type: number }>): Array<{ type: number; value: Buffer }> {
      const values: Record<number, Buffer> = {
        [C.CKA_LABEL]: Buffer.from('ca'),
        [C.CKA_ID]: Buffer.from('abcd', 'hex'),
        [C.CKA_KEY_TYPE]: Buffer.from([C.CKK_EC, 0, 0, 0, 0, 0, 0, 0]),
        [C.CKA_SIGN]: Buffer.from([1]),
        [C.CKA_EC_PARAMS]: Buffer.from('06082a8648ce3d030107', 'hex'),
        [C.CKA_EC_POINT]: Buffer.concat([Buffer.from([0x04, POINT.length]), POINT]),
      };
      return attrs.map((a) => ({ type: a.type, value: values[a.type] ?? Buffer.alloc(0) }));
    }
    C_SignInit(): void {}
    C_SignAsync(): Promise<Buffer> {
      return behaviour.sign?.() ?? Promise.resolve(Buffer.alloc(64, 1));
    }
  }
  return () => Promise.resolve({ ...C, PKCS11 } as unknown as Binding);
}

let modules = 0;
/** A fresh module path per open: the process keeps a loaded module per path. */
const open = (behaviour: FakeBehaviour, extra: Partial<OpenTokenOptions> = {}): Promise<TokenSession> =>
  TokenSession.open({ module: `/fake/module-${++modules}.so`, tokenLabel: 'station', pin: '1234', loadBinding: fakeBinding(behaviour), ...extra });

const pkcs11Error = (name: string, code: number): Error => new Error(`${name}:${code}`);

describe('a PKCS#11 token that misbehaves', () => {
  it('a signature the token does not deliver in time is PKCS11_TOKEN, and the session refuses further work', async () => {
    const session = await open({ sign: () => new Promise<Buffer>(() => undefined) }, { timeoutMs: 200 });
    const key = await session.findKey({ label: 'ca' });
    await expect(session.signDigest(key, new Uint8Array(32))).rejects.toMatchObject({ code: 'PKCS11_TOKEN', message: 'the token did not answer signing within 200 ms' });
    await expect(session.signDigest(key, new Uint8Array(32))).rejects.toMatchObject({ code: 'PKCS11_TOKEN', message: expect.stringContaining('stopped answering') });
    await session.close();
  });

  it('a token pulled out mid-run is PKCS11_TOKEN naming it', async () => {
    const session = await open({ sign: () => Promise.reject(pkcs11Error('CKR_DEVICE_REMOVED', 0x32)) });
    const key = await session.findKey({ id: 'abcd' });
    await expect(session.signDigest(key, new Uint8Array(32))).rejects.toMatchObject({ code: 'PKCS11_TOKEN', message: expect.stringContaining('token "station" is gone (CKR_DEVICE_REMOVED)') });
    await session.close();
  });

  it('a locked PIN, a binding or module that does not load, a module that does not initialise: PKCS11_PIN and PKCS11_UNAVAILABLE', async () => {
    await expect(open({ login: () => { throw pkcs11Error('CKR_PIN_LOCKED', 0xa4); } })).rejects.toMatchObject({ code: 'PKCS11_PIN', message: expect.stringContaining('locked') });
    await expect(open({ load: () => { throw new Error('dlopen: cannot open shared object file'); } })).rejects.toMatchObject({ code: 'PKCS11_UNAVAILABLE' });
    await expect(open({}, { loadBinding: () => Promise.reject(new Error("Cannot find module 'pkcs11js'")) })).rejects.toMatchObject({ code: 'PKCS11_UNAVAILABLE', message: expect.stringContaining('pkcs11js') });
    await expect(open({ initialize: () => { throw pkcs11Error('CKR_GENERAL_ERROR', 5); } })).rejects.toMatchObject({ code: 'PKCS11_UNAVAILABLE', message: expect.stringContaining('CKR_GENERAL_ERROR') });
  });

  it('signs and closes normally when the token behaves', async () => {
    const session = await open({});
    const key = await session.findKey({ label: 'ca' });
    expect(key).toMatchObject({ label: 'ca', id: 'abcd', curve: 'P-256' });
    expect(Buffer.from(key.point).equals(POINT)).toBe(true);
    expect((await session.signDigest(key, new Uint8Array(32))).length).toBe(64);
    await session.close();
    await expect(session.signDigest(key, new Uint8Array(32))).rejects.toMatchObject({ code: 'PKCS11_TOKEN', message: 'the token session is closed' });
  });
});
