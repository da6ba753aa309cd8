/**
 * PKCS#11 modules as a process has them: loaded and C_Initialize'd once, finalised when the last session using
 * them ends. This is process-wide state on purpose — Cryptoki's own is (C_Initialize is once per process, and a
 * user login is shared by every session of the process on that token: PKCS#11 v2.40 §5.6) — so two station CAs,
 * or a CA and an import, in one process must share it, or one's C_Finalize or C_Logout pulls the key from under
 * the other.
 *
 * Because the login is shared, a second session on a token already logged in gets CKR_USER_ALREADY_LOGGED_IN
 * whatever PIN it gives. The PIN that did log in is remembered as a salted hash, in memory only, and a later open
 * must give the same PIN — so a wrong PIN is refused in-process too, not waved through.
 */
import type * as Pkcs11Js from 'pkcs11js';
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { FieldlineError } from '../errors';

export type Binding = typeof Pkcs11Js;

export interface LoadedModule {
  readonly path: string;
  readonly p11: Pkcs11Js.PKCS11;
  readonly binding: Binding;
}

interface Entry extends LoadedModule {
  refs: number;
  /** False when something else in the process had initialised the library: its C_Finalize is not ours. */
  owns: boolean;
  /** Per token serial: how many of our sessions are logged in, and the PIN that logged in (salted SHA-256). */
  logins: Map<string, { sessions: number; salt: Buffer; hash: Buffer }>;
}

const modules = new Map<string, Promise<Entry>>();

/** The CKR_* name of a pkcs11js error ("CKR_PIN_INCORRECT"), or undefined for anything else. */
export function ckrName(err: unknown): string | undefined {
  const text = err instanceof Error ? `${err.message} ${err.stack ?? ''}` : String(err);
  return /\b(CKR_[A-Z_]+)\b/.exec(text)?.[1];
}

async function defaultBinding(): Promise<Binding> {
  const mod = (await import('pkcs11js')) as Binding & { default?: Binding };
  return mod.default ?? mod;
}

async function load(path: string, loadBinding: () => Promise<Binding>): Promise<Entry> {
  let binding: Binding;
  try {
    binding = await loadBinding();
  } catch (err) {
    throw new FieldlineError('PKCS11_UNAVAILABLE', 'the pkcs11js binding cannot be loaded (is Fieldline installed with its dependencies?)', {}, { cause: err });
  }
  const p11 = new binding.PKCS11();
  try {
    p11.load(path);
  } catch (err) {
    throw new FieldlineError('PKCS11_UNAVAILABLE', `${path} cannot be loaded as a PKCS#11 module`, { module: path }, { cause: err });
  }
  let owns = true;
  try {
    p11.C_Initialize();
  } catch (err) {
    if (ckrName(err) !== 'CKR_CRYPTOKI_ALREADY_INITIALIZED') {
      p11.close();
      throw new FieldlineError('PKCS11_UNAVAILABLE', `${path} did not initialise: ${ckrName(err) ?? (err as Error).message}`, { module: path }, { cause: err });
    }
    owns = false;
  }
  return { path, p11, binding, refs: 0, owns, logins: new Map() };
}

/** The module, loaded and initialised on first use; every acquire is paired with a releaseModule. */
export async function acquireModule(path: string, loadBinding: () => Promise<Binding> = defaultBinding): Promise<LoadedModule> {
  let pending = modules.get(path);
  if (!pending) {
    pending = load(path, loadBinding);
    modules.set(path, pending);
    // A failed load is not cached: the next attempt (a fixed path, an installed binding) starts afresh.
    pending.catch(() => modules.delete(path));
  }
  const entry = await pending;
  entry.refs++;
  return entry;
}

export function releaseModule(module: LoadedModule): void {
  const entry = module as Entry;
  if (--entry.refs > 0) return;
  modules.delete(entry.path);
  try {
    if (entry.owns) entry.p11.C_Finalize();
  } catch {
    // Already finalised, or the module is gone: nothing more to release.
  }
  try {
    entry.p11.close();
  } catch {
    // As above.
  }
}

const pinHash = (salt: Buffer, pin: string): Buffer => createHash('sha256').update(salt).update(pin.normalize('NFC'), 'utf8').digest();

/** Logs `session` in as the user (PKCS11_PIN when the token, or the PIN that logged this process in, says no). */
export function loginUser(module: LoadedModule, session: Buffer, token: { serial: string; label: string }, pin: string): void {
  const entry = module as Entry;
  const known = entry.logins.get(token.serial);
  try {
    entry.p11.C_Login(session, entry.binding.CKU_USER, pin);
  } catch (err) {
    const ckr = ckrName(err);
    if (ckr === 'CKR_USER_ALREADY_LOGGED_IN') {
      if (known && !timingSafeEqual(known.hash, pinHash(known.salt, pin))) throw new FieldlineError('PKCS11_PIN', `token "${token.label}" refused the PIN`);
      if (known) known.sessions++;
      return;
    }
    if (ckr === 'CKR_PIN_INCORRECT' || ckr === 'CKR_PIN_LEN_RANGE') throw new FieldlineError('PKCS11_PIN', `token "${token.label}" refused the PIN`, {}, { cause: err });
    if (ckr === 'CKR_PIN_LOCKED') throw new FieldlineError('PKCS11_PIN', `token "${token.label}" has locked its user PIN after too many wrong ones`, {}, { cause: err });
    throw new FieldlineError('PKCS11_TOKEN', `login to token "${token.label}" failed: ${ckr ?? (err as Error).message}`, {}, { cause: err });
  }
  const salt = randomBytes(16);
  entry.logins.set(token.serial, { sessions: 1, salt, hash: pinHash(salt, pin) });
}

/** A logged-in session of ours on the token is closing; the login ends with the token's last session (§5.6). */
export function forgetLogin(module: LoadedModule, serial: string): void {
  const entry = module as Entry;
  const known = entry.logins.get(serial);
  if (known && --known.sessions <= 0) entry.logins.delete(serial);
}
