/**
 * Operators in the core (issue #14): sign-in, the operator accounts, and the one permission check every front end
 * calls — the CLI per command, the station server and the Electron window per session. The operator is an argument of
 * each call, never a state of the core: one core serves many sessions, each signed in as someone else.
 *
 * A station with no operators is "unclaimed" and works as before issue #14: nothing asks for a sign-in. The first
 * `operator add` claims it and must make an admin; from then on every permission needs a signed-in operator whose
 * role holds it. Every check reads the operator's row again, so disabling someone takes effect on their next call.
 */
import { z } from 'zod';
import type { Clock } from '../contract/clock';
import {
  OperatorNameSchema,
  OperatorRoleSchema,
  OperatorSecretSchema,
  permissionsOf,
  roleAllows,
  roleNeeded,
  type OperatorInfo,
  type OperatorRole,
  type Permission,
  type SignedIn,
} from '../contract/operators';
import { FieldlineError } from '../errors';
import { guard } from '../shared/sqlite';
import { appendEntry } from '../store/audit';
import { decoyHash, DEFAULT_SCRYPT, hashSecret, verifySecret, type ScryptParams } from '../store/operator-secret';
import {
  addFailure,
  countEnabledAdmins,
  countOperators,
  insertOperator,
  operatorInfo,
  operatorKey,
  recordSignIn,
  selectOperator,
  selectOperators,
  updateDisabled,
  updateLockedUntil,
  updateSecret,
} from '../store/operators';
import type { SqliteStore } from '../store/store';
import { DEFAULT_LOCKOUT, lockoutMs, type LockoutPolicy } from './operator-lockout';

/** Who signed in. Only signIn() makes one that the checks accept: a look-alike object is nobody. */
export interface SignedInOperator {
  readonly name: string;
  readonly role: OperatorRole;
}

/** The operator a call is made for; undefined when nobody is signed in. */
export type Acting = SignedInOperator | undefined;

export interface NewOperator {
  name: string;
  role: OperatorRole;
  secret: string;
}

export interface OperatorService {
  /** Whether any operator exists: a claimed station asks every privileged call for a signed-in operator. */
  claimed(): boolean;
  /** OPERATOR_SIGN_IN_FAILED for an unknown name and a wrong secret alike; OPERATOR_LOCKED; OPERATOR_DISABLED. */
  signIn(name: string, secret: string): Promise<SignedInOperator>;
  /**
   * The permission check. Answers the audit actor (`operator:NAME`), or undefined on an unclaimed station with nobody
   * signed in. Throws PERMISSION_DENIED naming `action` and the role it needs, OPERATOR_SIGN_IN_REQUIRED, or
   * OPERATOR_DISABLED.
   */
  authorize(acting: Acting, permission: Permission, action: string): string | undefined;
  /** What a session shows: the operator's current role and the permissions it holds. */
  signedIn(acting: SignedInOperator): SignedIn;
  list(acting: Acting): OperatorInfo[];
  /** On an unclaimed station the first operator needs nobody signed in, and must be an admin. */
  add(acting: Acting, operator: NewOperator): Promise<OperatorInfo>;
  /** Refuses to disable the last enabled admin: nobody could manage the station after. */
  disable(acting: Acting, name: string): OperatorInfo;
  /** An admin for anyone; an operator for themself. Ends a lockout. */
  passwd(acting: Acting, name: string, secret: string): Promise<void>;
}

export interface OperatorServiceDeps {
  store: () => SqliteStore;
  clock: Clock;
  lockout?: LockoutPolicy;
  /** Tests lower the cost; production keeps the default. */
  scrypt?: ScryptParams;
}

const article = (role: OperatorRole): string => (role === 'admin' ? 'an' : 'a');

function checked<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const result = schema.safeParse(value);
  if (!result.success) throw new FieldlineError('INVALID_ARGUMENT', `${what}: ${result.error.issues[0]?.message ?? 'invalid'}`);
  return result.data;
}

export function createOperatorService(deps: OperatorServiceDeps): OperatorService {
  const { clock } = deps;
  const policy = deps.lockout ?? DEFAULT_LOCKOUT;
  const params = deps.scrypt ?? DEFAULT_SCRYPT;
  const decoy = decoyHash(params);
  // The operators signIn() made, held weakly: a session that ends lets its operator go.
  const issued = new WeakSet<SignedInOperator>();
  const db = () => deps.store().db;
  const inStore = <T>(fn: () => T): T => guard(deps.store().file, fn);
  const now = (): string => clock.now().toISOString();
  const audit = (actor: string, action: string, subject: string, details: Record<string, unknown> = {}): void =>
    void appendEntry(db(), { actor, action, subject, details }, now());

  const claimed = (): boolean => inStore(() => countOperators(db()) > 0);

  /** The acting operator's row as it is now; throws when nobody (valid) is signed in or they were disabled since. */
  const current = (acting: SignedInOperator, action: string): { name: string; role: OperatorRole } => {
    const row = issued.has(acting) ? selectOperator(db(), acting.name) : undefined;
    if (!row) throw new FieldlineError('OPERATOR_SIGN_IN_REQUIRED', `${action} needs a signed-in operator`);
    if (row.disabled) throw new FieldlineError('OPERATOR_DISABLED', row.name, { operator: row.name });
    return row;
  };

  const authorize = (acting: Acting, permission: Permission, action: string): string | undefined =>
    inStore(() => {
      const needs = roleNeeded(permission);
      if (acting === undefined) {
        if (countOperators(db()) === 0) return undefined;
        throw new FieldlineError('OPERATOR_SIGN_IN_REQUIRED', `${action} needs a signed-in operator with the ${needs} role`, { permission, needs });
      }
      const op = current(acting, action);
      if (!roleAllows(op.role, permission)) {
        throw new FieldlineError('PERMISSION_DENIED', `${action} needs the ${needs} role; ${op.name} is ${article(op.role)} ${op.role}`, {
          permission,
          needs,
          operator: op.name,
          role: op.role,
        });
      }
      return `operator:${op.name}`;
    });

  const signIn = async (name: string, secret: string): Promise<SignedInOperator> => {
    const failed = (): FieldlineError => new FieldlineError('OPERATOR_SIGN_IN_FAILED', 'unknown operator or wrong secret');
    // Over-long input is a wrong guess, not a reason to hash a megabyte.
    const validName = OperatorNameSchema.safeParse(name).success;
    const row = validName ? inStore(() => selectOperator(db(), name)) : undefined;
    if (row?.lockedUntil && row.lockedUntil > now()) {
      const retryAfterMs = Date.parse(row.lockedUntil) - clock.now().getTime();
      throw new FieldlineError('OPERATOR_LOCKED', `${row.name} may try again in ${Math.ceil(retryAfterMs / 1000)} s`, { retryAfterMs, until: row.lockedUntil });
    }
    const ok = OperatorSecretSchema.safeParse(secret).success && (await verifySecret(secret, row?.secret ?? decoy));
    if (!row) throw failed();
    if (!ok) {
      inStore(() =>
        db()
          .transaction(() => {
            const failures = addFailure(db(), row.name);
            const lockMs = lockoutMs(failures, policy);
            if (lockMs === 0) return;
            const until = new Date(clock.now().getTime() + lockMs).toISOString();
            updateLockedUntil(db(), row.name, until);
            audit(`operator:${row.name}`, 'operator.locked', row.name, { failures, until });
          })
          .immediate(),
      );
      throw failed();
    }
    // Said only to whoever knows the secret: a guesser cannot learn that an account is disabled.
    if (row.disabled) throw new FieldlineError('OPERATOR_DISABLED', row.name, { operator: row.name });
    inStore(() => recordSignIn(db(), row.name, now()));
    const operator: SignedInOperator = Object.freeze({ name: row.name, role: row.role });
    issued.add(operator);
    return operator;
  };

  const add = async (acting: Acting, input: NewOperator): Promise<OperatorInfo> => {
    const name = checked(OperatorNameSchema, input.name, 'operator name');
    const role = checked(OperatorRoleSchema, input.role, 'role');
    const secret = checked(OperatorSecretSchema, input.secret, 'secret');
    const hash = await hashSecret(secret, params);
    return inStore(() =>
      db()
        .transaction((): OperatorInfo => {
          // Counted inside the write transaction: two first adds at once cannot both claim the station.
          const first = countOperators(db()) === 0;
          if (first && role !== 'admin') {
            throw new FieldlineError('INVALID_ARGUMENT', `the first operator claims the station and must be an admin (--role admin), not ${article(role)} ${role}`);
          }
          const actor = first ? `operator:${name}` : (authorize(acting, 'operators.manage', 'operator add') as string);
          insertOperator(db(), { name, role, secret: hash, createdAt: now() });
          audit(actor, 'operator.add', name, { role, ...(first ? { claimed: true } : {}) });
          return operatorInfo(selectOperator(db(), name)!);
        })
        .immediate(),
    );
  };

  const disable = (acting: Acting, name: string): OperatorInfo =>
    inStore(() =>
      db()
        .transaction((): OperatorInfo => {
          const actor = authorize(acting, 'operators.manage', 'operator disable');
          const row = selectOperator(db(), name);
          if (!row) throw new FieldlineError('OPERATOR_NOT_FOUND', name, { name });
          if (row.role === 'admin' && !row.disabled && countEnabledAdmins(db()) === 1) {
            throw new FieldlineError('INVALID_ARGUMENT', `${row.name} is the last admin: add another admin before disabling this one`);
          }
          updateDisabled(db(), row.name, true);
          audit(actor ?? 'station', 'operator.disable', row.name);
          return { ...operatorInfo(row), disabled: true };
        })
        .immediate(),
    );

  const passwd = async (acting: Acting, name: string, secret: string): Promise<void> => {
    const valid = checked(OperatorSecretSchema, secret, 'secret');
    const self = acting !== undefined && operatorKey(acting.name) === operatorKey(name);
    const actor = self ? `operator:${inStore(() => current(acting, 'operator passwd')).name}` : authorize(acting, 'operators.manage', 'operator passwd');
    const hash = await hashSecret(valid, params);
    inStore(() =>
      db()
        .transaction(() => {
          const row = selectOperator(db(), name);
          if (!row) throw new FieldlineError('OPERATOR_NOT_FOUND', name, { name });
          updateSecret(db(), row.name, hash);
          audit(actor ?? 'station', 'operator.passwd', row.name);
        })
        .immediate(),
    );
  };

  return {
    claimed,
    signIn,
    authorize,
    signedIn: (acting) => inStore(() => {
      const op = current(acting, 'the session');
      return { name: op.name, role: op.role, permissions: permissionsOf(op.role) };
    }),
    list: (acting) =>
      inStore(() => {
        authorize(acting, 'operators.manage', 'operator list');
        return selectOperators(db()).map(operatorInfo);
      }),
    add,
    disable,
    passwd,
  };
}
