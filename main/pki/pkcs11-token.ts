/**
 * A logged-in session on one PKCS#11 token, through pkcs11js — the only file that calls the binding. The binding
 * is loaded on first use (a station with a file CA, and every CLI start, never loads it), and every failure of the
 * module, the token or the PIN becomes a FieldlineError with a stable code.
 *
 * Module loading and the login the process shares are pkcs11-module.ts's.
 *
 * Bounds: key generation and signing run on libuv's thread pool (pkcs11js's *Async variants) under a time limit; a
 * session whose call ran out is marked broken, since the token may still be mid-operation, and refuses further
 * work. Opening, login and lookups are synchronous in pkcs11js: the station runs this class in a worker thread
 * (pkcs11-remote.ts), which bounds those too. A PKCS#11 session runs one operation at a time (C_SignInit…C_Sign is
 * a pair), so every operation goes through one queue.
 */
import type * as Pkcs11Js from 'pkcs11js';
import { randomBytes } from 'node:crypto';
import { FieldlineError } from '../errors';
import { withDeadline } from '../shared/deadline';
import { acquireModule, ckrName, forgetLogin, loginUser, releaseModule, type Binding, type LoadedModule } from './pkcs11-module';

type Handle = Buffer;

/** prime256v1 and secp384r1 as DER OBJECT IDENTIFIERs: CKA_EC_PARAMS holds one (namedCurve). */
export const EC_CURVE_PARAMS: Record<'P-256' | 'P-384', Buffer> = {
  'P-256': Buffer.from('06082a8648ce3d030107', 'hex'),
  'P-384': Buffer.from('06052b81040022', 'hex'),
};

export const DEFAULT_PKCS11_TIMEOUT_MS = 10_000;

export interface TokenLocation {
  /** Path of the PKCS#11 module (.so). */
  module: string;
  /** The token's label, as set at its initialisation (trailing blanks ignored). */
  tokenLabel: string;
  /** When known (a CA made on it), the token's serial number too, so a look-alike token with the same label is refused. */
  tokenSerial?: string;
}

export interface OpenTokenOptions extends TokenLocation {
  pin: string;
  timeoutMs?: number;
  /** Tests replace the binding (a missing or broken pkcs11js); default: load pkcs11js. */
  loadBinding?: () => Promise<Binding>;
}

/** What is known of a key pair on the token, wherever the session runs. */
export interface TokenKeyInfo {
  label: string;
  /** CKA_ID, lower-case hex. */
  id: string;
  curve: 'P-256' | 'P-384';
  /** The uncompressed EC point (04‖x‖y) from the public key object. */
  point: Uint8Array;
}

/** A key pair on the token, found by label and/or CKA_ID, with its object handles (valid in this session's process). */
export interface TokenKey extends TokenKeyInfo {
  privateHandle: Handle;
  publicHandle: Handle;
}

/**
 * A logged-in token session as the CA uses it: TokenSession in this thread, or pkcs11-remote.ts's proxy to one in
 * a worker thread (what the station CA uses, so that no PKCS#11 call can block the event loop).
 */
export interface TokenApi<K extends TokenKeyInfo = TokenKeyInfo> {
  readonly token: TokenInfoSummary;
  readonly location: TokenLocation;
  generateEcKey(label: string, curve?: 'P-256' | 'P-384'): Promise<K>;
  findKey(match: { label?: string; id?: string }): Promise<K>;
  signDigest(key: K, digest: Uint8Array): Promise<Uint8Array>;
  privateKeyProtection(key: K): Promise<KeyProtection>;
  destroyKey(key: K): Promise<void>;
  close(): Promise<void>;
}

export interface KeyProtection {
  extractable: boolean;
  sensitive: boolean;
  /** Whether reading CKA_VALUE returned bytes (it must be refused: CKR_ATTRIBUTE_SENSITIVE). */
  valueReadable: boolean;
}

export interface TokenInfoSummary {
  label: string;
  serial: string;
  manufacturer: string;
  model: string;
}

const trim = (text: string): string => text.replace(/[\s\0]+$/, '');

function tokenError(message: string, cause?: unknown, details: Record<string, unknown> = {}): FieldlineError {
  return new FieldlineError('PKCS11_TOKEN', message, details, cause === undefined ? undefined : { cause });
}

/** DER OCTET STRING → its content; SoftHSM2 and most tokens wrap CKA_EC_POINT so (PKCS#11 v2.20), some do not. */
function unwrapEcPoint(value: Buffer): Buffer {
  if (value[0] === 0x04 && value.length > 2) {
    const long = value[1] === 0x81;
    const length = long ? (value[2] as number) : (value[1] as number);
    const start = long ? 3 : 2;
    if (start + length === value.length && value[start] === 0x04) return value.subarray(start);
  }
  return value;
}

export class TokenSession implements TokenApi<TokenKey> {
  private queue: Promise<unknown> = Promise.resolve();
  private broken: string | undefined;
  private closed = false;

  private readonly p11: Pkcs11Js.PKCS11;
  private readonly binding: Binding;

  private constructor(
    private readonly module: LoadedModule,
    private readonly session: Handle,
    readonly token: TokenInfoSummary,
    readonly location: TokenLocation,
    private readonly timeoutMs: number,
  ) {
    this.p11 = module.p11;
    this.binding = module.binding;
  }

  /** Loads the module (once per process), finds the token, opens a read-write session and logs in as the user. */
  static async open(options: OpenTokenOptions): Promise<TokenSession> {
    const module = await acquireModule(options.module, options.loadBinding);
    const { p11, binding } = module;
    let session: Handle | undefined;
    try {
      const { slot, info } = findToken(p11, options);
      session = p11.C_OpenSession(slot, binding.CKF_SERIAL_SESSION | binding.CKF_RW_SESSION);
      loginUser(module, session, info, options.pin);
      const location = { module: options.module, tokenLabel: info.label, tokenSerial: info.serial };
      return new TokenSession(module, session, info, location, options.timeoutMs ?? DEFAULT_PKCS11_TIMEOUT_MS);
    } catch (err) {
      if (session) {
        try {
          p11.C_CloseSession(session);
        } catch {
          // The session is what failed; the module is released below either way.
        }
      }
      releaseModule(module);
      if (err instanceof FieldlineError) throw err;
      throw tokenError(`the token in ${options.module} failed: ${ckrName(err) ?? (err as Error).message}`, err);
    }
  }

  /** Generates an EC key pair on the token: private half sensitive, not extractable, stored on the token. */
  generateEcKey(label: string, curve: 'P-256' | 'P-384' = 'P-256'): Promise<TokenKey> {
    return this.serialized('key generation', async () => {
      const b = this.binding;
      if (this.findObjects(b.CKO_PRIVATE_KEY, { label }).length > 0) {
        throw tokenError(`token "${this.token.label}" already holds a key labelled "${label}": choose another --key-label, or use it with \`fieldline ca import --pkcs11\``);
      }
      const id = randomBytes(16);
      const common = [
        { type: b.CKA_TOKEN, value: true },
        { type: b.CKA_KEY_TYPE, value: b.CKK_EC },
        { type: b.CKA_LABEL, value: label },
        { type: b.CKA_ID, value: id },
      ];
      const publicTemplate = [...common, { type: b.CKA_CLASS, value: b.CKO_PUBLIC_KEY }, { type: b.CKA_VERIFY, value: true }, { type: b.CKA_EC_PARAMS, value: EC_CURVE_PARAMS[curve] }];
      const privateTemplate = [
        ...common,
        { type: b.CKA_CLASS, value: b.CKO_PRIVATE_KEY },
        { type: b.CKA_PRIVATE, value: true },
        { type: b.CKA_SENSITIVE, value: true },
        { type: b.CKA_EXTRACTABLE, value: false },
        { type: b.CKA_SIGN, value: true },
      ];
      const pair = await this.bounded('key generation', this.p11.C_GenerateKeyPairAsync(this.session, { mechanism: b.CKM_EC_KEY_PAIR_GEN }, publicTemplate, privateTemplate));
      return { privateHandle: pair.privateKey, publicHandle: pair.publicKey, label, id: id.toString('hex'), curve, point: this.ecPoint(pair.publicKey) };
    });
  }

  /** The key pair with this label and/or CKA_ID (hex). PKCS11_TOKEN when none, or more than one, matches. */
  findKey(match: { label?: string; id?: string }): Promise<TokenKey> {
    return this.serialized('key lookup', () => {
      const b = this.binding;
      const what = [match.label === undefined ? '' : `label "${match.label}"`, match.id === undefined ? '' : `id ${match.id}`].filter(Boolean).join(' and ');
      if (!what) throw new FieldlineError('INVALID_ARGUMENT', 'name the token key by its label or its id');
      const found = this.findObjects(b.CKO_PRIVATE_KEY, match);
      if (found.length === 0) throw tokenError(`token "${this.token.label}" holds no private key with ${what}`);
      if (found.length > 1) throw tokenError(`token "${this.token.label}" holds ${found.length} private keys with ${what}: name one by --key-id`);
      const privateHandle = found[0] as Handle;
      const attrs = this.p11.C_GetAttributeValue(this.session, privateHandle, [{ type: b.CKA_LABEL }, { type: b.CKA_ID }, { type: b.CKA_KEY_TYPE }, { type: b.CKA_SIGN }]);
      const label = Buffer.isBuffer(attrs[0]?.value) ? attrs[0].value.toString('utf8') : '';
      const id = Buffer.isBuffer(attrs[1]?.value) ? attrs[1].value : Buffer.alloc(0);
      const keyType = Buffer.isBuffer(attrs[2]?.value) ? attrs[2].value.readUIntLE(0, Math.min(attrs[2].value.length, 6)) : -1;
      if (keyType !== b.CKK_EC) throw tokenError(`the key with ${what} is not an EC key; a station CA key in a token must be EC P-256 or P-384`);
      if (Buffer.isBuffer(attrs[3]?.value) && attrs[3].value[0] === 0) throw tokenError(`the key with ${what} may not sign (CKA_SIGN is false)`);
      // The public half is a separate object: the same CKA_ID by PKCS#11 convention (RFC 7512's "id").
      const publics = this.findObjects(b.CKO_PUBLIC_KEY, id.length > 0 ? { id: id.toString('hex') } : { label });
      if (publics.length !== 1) throw tokenError(`token "${this.token.label}" holds no single public key beside the private key with ${what} (same CKA_ID)`);
      const publicHandle = publics[0] as Handle;
      const params = this.p11.C_GetAttributeValue(this.session, publicHandle, [{ type: b.CKA_EC_PARAMS }])[0]?.value;
      const curve = (Object.keys(EC_CURVE_PARAMS) as Array<'P-256' | 'P-384'>).find((c) => Buffer.isBuffer(params) && EC_CURVE_PARAMS[c].equals(params));
      if (!curve) throw tokenError(`the key with ${what} is on a curve a station CA does not use (P-256 or P-384)`);
      return { privateHandle, publicHandle, label, id: id.toString('hex'), curve, point: this.ecPoint(publicHandle) };
    });
  }

  /** Removes a key pair this station made (an init that failed after generating it). */
  destroyKey(key: TokenKey): Promise<void> {
    return this.serialized('key removal', () => {
      this.p11.C_DestroyObject(this.session, key.privateHandle);
      this.p11.C_DestroyObject(this.session, key.publicHandle);
    });
  }

  /** Signs a digest the caller made with CKM_ECDSA (the token hashes nothing); raw r‖s, as the token returns it. */
  signDigest(key: TokenKey, digest: Uint8Array): Promise<Uint8Array> {
    return this.serialized('signing', async () => {
      this.p11.C_SignInit(this.session, { mechanism: this.binding.CKM_ECDSA }, key.privateHandle);
      const out = Buffer.alloc(key.curve === 'P-256' ? 64 : 96);
      const signature = await this.bounded('signing', this.p11.C_SignAsync(this.session, Buffer.from(digest), out));
      return new Uint8Array(signature);
    });
  }

  /**
   * What the token says about exporting the private key: CKA_EXTRACTABLE and CKA_SENSITIVE, and whether reading
   * its value (CKA_VALUE) is refused. For `ca show` checks and the tests.
   */
  privateKeyProtection(key: TokenKey): Promise<KeyProtection> {
    return this.serialized('attribute read', () => {
      const b = this.binding;
      const flags = this.p11.C_GetAttributeValue(this.session, key.privateHandle, [{ type: b.CKA_EXTRACTABLE }, { type: b.CKA_SENSITIVE }]);
      const flag = (i: number): boolean => {
        const v = flags[i]?.value;
        return Buffer.isBuffer(v) ? v[0] !== 0 : Boolean(v);
      };
      let valueReadable: boolean;
      try {
        const value = this.p11.C_GetAttributeValue(this.session, key.privateHandle, [{ type: b.CKA_VALUE }])[0]?.value;
        valueReadable = Buffer.isBuffer(value) && value.length > 0;
      } catch (err) {
        if (ckrName(err) !== 'CKR_ATTRIBUTE_SENSITIVE') throw err;
        valueReadable = false;
      }
      return { extractable: flag(0), sensitive: flag(1), valueReadable };
    });
  }

  /**
   * Closes the session, and the module with the process's last session on it. No C_Logout: the login is shared by
   * the process's other sessions on the token, and ends with the last of them. Idempotent.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    // Let a running operation end first, unless it hung (then the token is not answering anyway).
    if (!this.broken) await this.queue.catch(() => undefined);
    try {
      this.p11.C_CloseSession(this.session);
    } catch {
      // Best effort: a token pulled out fails this, and the next open starts afresh.
    }
    forgetLogin(this.module, this.token.serial);
    releaseModule(this.module);
  }

  private ecPoint(publicHandle: Handle): Buffer {
    const value = this.p11.C_GetAttributeValue(this.session, publicHandle, [{ type: this.binding.CKA_EC_POINT }])[0]?.value;
    if (!Buffer.isBuffer(value)) throw tokenError('the token gave no public point (CKA_EC_POINT) for the key');
    return unwrapEcPoint(value);
  }

  private findObjects(cls: number, match: { label?: string; id?: string }): Handle[] {
    const b = this.binding;
    const template: Pkcs11Js.Template = [{ type: b.CKA_CLASS, value: cls }];
    if (match.label !== undefined) template.push({ type: b.CKA_LABEL, value: match.label });
    if (match.id !== undefined) template.push({ type: b.CKA_ID, value: Buffer.from(match.id, 'hex') });
    this.p11.C_FindObjectsInit(this.session, template);
    try {
      // Two are enough to tell "one" from "ambiguous"; a few more make the message's count useful.
      return this.p11.C_FindObjects(this.session, 8);
    } finally {
      this.p11.C_FindObjectsFinal(this.session);
    }
  }

  private bounded<T>(what: string, promise: Promise<T>): Promise<T> {
    // The timer is unref'd: it must not keep a finished CLI command alive.
    return withDeadline(
      promise.catch((err: unknown) => {
        throw err instanceof Error ? err : new Error(String(err));
      }),
      this.timeoutMs,
      () => {
        this.broken = what;
        return tokenError(`the token did not answer ${what} within ${this.timeoutMs} ms`);
      },
      { unref: true },
    );
  }

  private serialized<T>(what: string, job: () => Promise<T> | T): Promise<T> {
    const run = async (): Promise<T> => {
      if (this.closed) throw tokenError('the token session is closed');
      if (this.broken) throw tokenError(`the token stopped answering (${this.broken} timed out): reopen the station CA`);
      try {
        return await job();
      } catch (err) {
        if (err instanceof FieldlineError) throw err;
        const ckr = ckrName(err);
        if (ckr === 'CKR_DEVICE_REMOVED' || ckr === 'CKR_TOKEN_NOT_PRESENT' || ckr === 'CKR_SESSION_HANDLE_INVALID' || ckr === 'CKR_SESSION_CLOSED') {
          this.broken = `${what}: ${ckr}`;
          throw tokenError(`token "${this.token.label}" is gone (${ckr}): insert it and unlock the station CA again`, err);
        }
        throw tokenError(`${what} on token "${this.token.label}" failed: ${ckr ?? (err as Error).message}`, err);
      }
    };
    const result = this.queue.then(run, run);
    this.queue = result.catch(() => undefined);
    return result;
  }
}

/** The slot holding the token with this label (and serial, when given). PKCS11_TOKEN, naming the tokens present, when none. */
function findToken(p11: Pkcs11Js.PKCS11, where: TokenLocation): { slot: Handle; info: TokenInfoSummary } {
  const present: TokenInfoSummary[] = [];
  for (const slot of p11.C_GetSlotList(true)) {
    const raw = p11.C_GetTokenInfo(slot);
    const info = { label: trim(raw.label), serial: trim(raw.serialNumber), manufacturer: trim(raw.manufacturerID), model: trim(raw.model) };
    // SoftHSM2 lists a free slot with an uninitialised token (empty label): not a candidate.
    if (info.label === '') continue;
    present.push(info);
    if (info.label === where.tokenLabel && (where.tokenSerial === undefined || where.tokenSerial === info.serial)) return { slot, info };
  }
  const wanted = `token "${where.tokenLabel}"${where.tokenSerial ? ` (serial ${where.tokenSerial})` : ''}`;
  const seen = present.length === 0 ? 'no initialised token is present' : `present: ${present.map((t) => `"${t.label}" (serial ${t.serial})`).join(', ')}`;
  throw tokenError(`${wanted} is not in ${where.module}; ${seen}`, undefined, { module: where.module, tokenLabel: where.tokenLabel });
}
