import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Clock } from '../contract/clock';
import { OPERATOR_ROLES, PERMISSION_LIST, roleAllows, roleNeeded, type OperatorRole } from '../contract/operators';
import { isFieldlineError } from '../errors';
import { openStore, type SqliteStore } from '../store/store';
import { createOperatorService, type OperatorService, type SignedInOperator } from './operators';

/** A clock the test moves by hand. */
function fakeClock(start = Date.parse('2026-12-07T10:00:00Z')): Clock & { advance(ms: number): void } {
  let t = start;
  return { now: () => new Date(t), monotonicMs: () => t, advance: (ms) => void (t += ms) };
}

/** Cheap scrypt for tests: the cost is a parameter stored with each hash, so verification follows it. */
const FAST = { N: 2 ** 10, r: 8, p: 1 };

async function codeOf(work: Promise<unknown> | (() => unknown)): Promise<string | undefined> {
  try {
    await (typeof work === 'function' ? work() : work);
  } catch (err) {
    if (isFieldlineError(err)) return err.code;
    throw err;
  }
  return undefined;
}

describe('operators', () => {
  let dir: string;
  let store: SqliteStore;
  let clock: ReturnType<typeof fakeClock>;
  let ops: OperatorService;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'fieldline-operators-'));
    store = openStore(dir);
    clock = fakeClock();
    ops = createOperatorService({ store: () => store, clock, scrypt: FAST });
  });
  afterEach(() => {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function claimWith(name = 'root'): Promise<SignedInOperator> {
    await ops.add(undefined, { name, role: 'admin', secret: 'admin-secret' });
    return ops.signIn(name, 'admin-secret');
  }

  it('keeps only an scrypt hash: the secret round-trips through sign-in and is nowhere in the database file', async () => {
    const admin = await claimWith();
    await ops.add(admin, { name: 'ana', role: 'technician', secret: 'correct horse 1234' });
    const ana = await ops.signIn('ana', 'correct horse 1234');
    expect(ana).toMatchObject({ name: 'ana', role: 'technician' });
    expect(await codeOf(ops.signIn('ana', 'correct horse 1235'))).toBe('OPERATOR_SIGN_IN_FAILED');

    const hash = store.db.prepare(`SELECT secret FROM operators WHERE key = 'ana'`).pluck().get() as string;
    expect(hash).toMatch(/^scrypt\$1024\$8\$1\$[A-Za-z0-9+/=]{24}\$[A-Za-z0-9+/=]{44}$/);
    store.db.pragma('wal_checkpoint(TRUNCATE)');
    const bytes = readFileSync(store.file);
    expect(bytes.includes(Buffer.from('correct horse 1234'))).toBe(false);
    expect(bytes.includes(Buffer.from('admin-secret'))).toBe(false);
    // Same secret, two operators: different salts, different hashes.
    await ops.add(admin, { name: 'ben', role: 'technician', secret: 'correct horse 1234' });
    const benHash = store.db.prepare(`SELECT secret FROM operators WHERE key = 'ben'`).pluck().get() as string;
    expect(benHash).not.toBe(hash);
  });

  it('says the same for an unknown name and a wrong secret', async () => {
    await claimWith();
    const unknown = await ops.signIn('nobody', 'admin-secret').catch((e: unknown) => e);
    const wrong = await ops.signIn('root', 'wrong-secret').catch((e: unknown) => e);
    expect(unknown).toMatchObject({ code: 'OPERATOR_SIGN_IN_FAILED', message: 'unknown operator or wrong secret' });
    expect(wrong).toMatchObject({ code: 'OPERATOR_SIGN_IN_FAILED', message: 'unknown operator or wrong secret' });
  });

  it('locks after five wrong secrets for 30 s, doubling with each further one, and a good secret resets it', async () => {
    await claimWith();
    for (let i = 0; i < 4; i++) expect(await codeOf(ops.signIn('root', 'nope-nope'))).toBe('OPERATOR_SIGN_IN_FAILED');
    expect(await codeOf(ops.signIn('root', 'nope-nope'))).toBe('OPERATOR_SIGN_IN_FAILED');
    // Locked now: even the right secret is refused, with the time left.
    const locked = await ops.signIn('root', 'admin-secret').catch((e: unknown) => e);
    expect(locked).toMatchObject({ code: 'OPERATOR_LOCKED', details: { retryAfterMs: 30_000 } });
    clock.advance(29_999);
    expect(await codeOf(ops.signIn('root', 'admin-secret'))).toBe('OPERATOR_LOCKED');
    clock.advance(1);
    // The sixth wrong secret doubles the lock.
    expect(await codeOf(ops.signIn('root', 'nope-nope'))).toBe('OPERATOR_SIGN_IN_FAILED');
    expect(await ops.signIn('root', 'admin-secret').catch((e: unknown) => e)).toMatchObject({ code: 'OPERATOR_LOCKED', details: { retryAfterMs: 60_000 } });
    clock.advance(60_000);
    expect(await ops.signIn('root', 'admin-secret')).toMatchObject({ name: 'root' });
    // Reset: four more mistakes lock nothing.
    for (let i = 0; i < 4; i++) expect(await codeOf(ops.signIn('root', 'nope-nope'))).toBe('OPERATOR_SIGN_IN_FAILED');
    expect(await ops.signIn('root', 'admin-secret')).toMatchObject({ name: 'root' });
    const audit = store.db.prepare(`SELECT actor, action FROM audit WHERE action = 'operator.locked'`).all();
    expect(audit).toEqual([
      { actor: 'operator:root', action: 'operator.locked' },
      { actor: 'operator:root', action: 'operator.locked' },
    ]);
  });

  it('refuses a disabled operator at sign-in and on the next call of a session signed in before', async () => {
    const admin = await claimWith();
    await ops.add(admin, { name: 'ana', role: 'supervisor', secret: 'ana-secret' });
    const ana = await ops.signIn('ana', 'ana-secret');
    expect(ops.authorize(ana, 'rework', 'rework')).toBe('operator:ana');
    ops.disable(admin, 'ANA');
    expect(await codeOf(() => ops.authorize(ana, 'rework', 'rework'))).toBe('OPERATOR_DISABLED');
    expect(await codeOf(ops.signIn('ana', 'ana-secret'))).toBe('OPERATOR_DISABLED');
    // A guesser does not learn that the account is disabled.
    expect(await codeOf(ops.signIn('ana', 'guess-guess'))).toBe('OPERATOR_SIGN_IN_FAILED');
    expect(ops.list(admin).find((o) => o.name === 'ana')).toMatchObject({ disabled: true, role: 'supervisor' });
    // Nor can the station be left without an admin.
    expect(await codeOf(() => ops.disable(admin, 'root'))).toBe('INVALID_ARGUMENT');
  });

  it('keeps names unique without regard to case, and signs in whatever the case typed', async () => {
    const admin = await claimWith('Root');
    await ops.add(admin, { name: 'Ana', role: 'technician', secret: 'ana-secret' });
    expect(await codeOf(ops.add(admin, { name: 'ana', role: 'admin', secret: 'x-secret' }))).toBe('OPERATOR_EXISTS');
    expect(await codeOf(ops.add(admin, { name: 'ＡＮＡ', role: 'admin', secret: 'x-secret' }))).toBe('OPERATOR_EXISTS');
    expect(await ops.signIn('ANA', 'ana-secret')).toMatchObject({ name: 'Ana' });
    expect(ops.list(admin).map((o) => o.name)).toEqual(['Ana', 'Root']);
    expect(await codeOf(ops.add(admin, { name: 'a'.repeat(65), role: 'technician', secret: 'x-secret' }))).toBe('INVALID_ARGUMENT');
    expect(await codeOf(ops.add(admin, { name: 'bad\nname', role: 'technician', secret: 'x-secret' }))).toBe('INVALID_ARGUMENT');
  });

  it('leaves an unclaimed station open, claims it with the first admin, then asks everyone to sign in', async () => {
    expect(ops.claimed()).toBe(false);
    for (const permission of PERMISSION_LIST) expect(ops.authorize(undefined, permission, permission)).toBeUndefined();
    expect(await codeOf(ops.add(undefined, { name: 'tech', role: 'technician', secret: 'tech-secret' }))).toBe('INVALID_ARGUMENT');
    expect(ops.claimed()).toBe(false);

    const admin = await claimWith();
    expect(ops.claimed()).toBe(true);
    expect(await codeOf(() => ops.authorize(undefined, 'provision', 'provision'))).toBe('OPERATOR_SIGN_IN_REQUIRED');
    // A later add needs an admin signed in.
    expect(await codeOf(ops.add(undefined, { name: 'eve', role: 'admin', secret: 'eve-secret' }))).toBe('OPERATOR_SIGN_IN_REQUIRED');
    // An object that looks like an operator is nobody: only signIn makes one.
    expect(await codeOf(() => ops.authorize({ name: 'root', role: 'admin' }, 'ca.manage', 'ca init'))).toBe('OPERATOR_SIGN_IN_REQUIRED');
    expect(ops.authorize(admin, 'ca.manage', 'ca init')).toBe('operator:root');
    const entries = store.db.prepare(`SELECT actor, action, subject FROM audit`).all();
    expect(entries).toEqual([{ actor: 'operator:root', action: 'operator.add', subject: 'root' }]);
  });

  it('lets an operator change their own secret, and only an admin anyone else’s', async () => {
    const admin = await claimWith();
    await ops.add(admin, { name: 'ana', role: 'technician', secret: 'ana-secret' });
    await ops.add(admin, { name: 'ben', role: 'technician', secret: 'ben-secret' });
    const ana = await ops.signIn('ana', 'ana-secret');
    await ops.passwd(ana, 'ana', 'ana-new-secret');
    expect(await codeOf(ops.passwd(ana, 'ben', 'ben-new-secret'))).toBe('PERMISSION_DENIED');
    await ops.passwd(admin, 'ben', 'ben-new-secret');
    expect(await ops.signIn('ana', 'ana-new-secret')).toMatchObject({ name: 'ana' });
    expect(await ops.signIn('ben', 'ben-new-secret')).toMatchObject({ name: 'ben' });
    expect(await codeOf(ops.passwd(admin, 'nobody', 'x-secret'))).toBe('OPERATOR_NOT_FOUND');
  });

  it('checks every permission in the table against every role, with the refusal naming the action and the role', async () => {
    const admin = await claimWith();
    const signedIn: Record<OperatorRole, SignedInOperator> = {
      admin,
      technician: await ops.add(admin, { name: 'tina', role: 'technician', secret: 'tina-secret' }).then(() => ops.signIn('tina', 'tina-secret')),
      supervisor: await ops.add(admin, { name: 'sam', role: 'supervisor', secret: 'sam-secret' }).then(() => ops.signIn('sam', 'sam-secret')),
    };
    for (const permission of PERMISSION_LIST) {
      for (const role of OPERATOR_ROLES) {
        const op = signedIn[role];
        if (roleAllows(role, permission)) {
          expect(ops.authorize(op, permission, permission)).toBe(`operator:${op.name}`);
        } else {
          const refusal = (() => {
            try {
              ops.authorize(op, permission, `do ${permission}`);
            } catch (err) {
              return err;
            }
          })();
          const needs = roleNeeded(permission);
          expect(refusal).toMatchObject({ code: 'PERMISSION_DENIED', message: `do ${permission} needs the ${needs} role; ${op.name} is ${role === 'admin' ? 'an' : 'a'} ${role}` });
        }
      }
    }
    expect(ops.signedIn(signedIn.technician).permissions).toEqual(['provision', 'service', 'ca.unlock']);
  });
});

describe('the permission table', () => {
  it('orders the roles: whatever a technician may, a supervisor may, and an admin may everything', () => {
    for (const permission of PERMISSION_LIST) {
      expect(roleAllows('admin', permission)).toBe(true);
      if (roleAllows('technician', permission)) expect(roleAllows('supervisor', permission)).toBe(true);
    }
    expect(roleNeeded('ca.manage')).toBe('admin');
    expect(roleNeeded('registry.settings')).toBe('admin');
    expect(roleNeeded('operators.manage')).toBe('admin');
    expect(roleNeeded('station.settings')).toBe('admin');
    expect(roleNeeded('rework')).toBe('supervisor');
    expect(roleNeeded('override')).toBe('supervisor');
    expect(roleNeeded('profile.import')).toBe('supervisor');
    expect(roleNeeded('queue.retry')).toBe('supervisor');
    expect(roleNeeded('provision')).toBe('technician');
    expect(roleNeeded('service')).toBe('technician');
  });
});
