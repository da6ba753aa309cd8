/**
 * Who runs a command (issue #14). On a station with operators, a command that needs a permission signs in first:
 * `--operator NAME` or FIELDLINE_OPERATOR, with the secret from FIELDLINE_OPERATOR_SECRET or a prompt without echo,
 * and asks the core's one permission check (main/core/operators.ts) before it does anything. On a station without
 * operators nothing is asked, as before operators existed. The secret is never printed, logged or put in an error.
 */
import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import type { Permission } from '../contract/operators';
import type { Acting } from '../core/operators';
import type { Core } from '../core/core';
import { FieldlineError } from '../errors';
import { readHidden, type PassphraseInput, type PassphraseOutput } from '../pki/passphrase';
import { storeFilePath } from '../store/file';
import { cliDataDir, withCore, type CoreCliOptions } from './core';

export const OPERATOR_ENV = 'FIELDLINE_OPERATOR';
export const OPERATOR_SECRET_ENV = 'FIELDLINE_OPERATOR_SECRET';

export interface OperatorCliOptions {
  operator?: string;
}

export interface SignInIo {
  env?: NodeJS.ProcessEnv;
  input?: PassphraseInput;
  output?: PassphraseOutput;
}

/** Adds --operator to a command that needs a permission. */
export function operatorOption(cmd: Command): Command {
  return cmd.option('--operator <name>', `sign in as this operator (default ${OPERATOR_ENV}); the secret from ${OPERATOR_SECRET_ENV} or a prompt`);
}

/** A secret from the environment variable `env`, else asked on the terminal, else a clear error rather than a hang. */
export async function readSecret(envName: string, prompt: string, io: SignInIo = {}): Promise<string> {
  const fromEnv = (io.env ?? process.env)[envName];
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  const input: PassphraseInput = io.input ?? process.stdin;
  if (!input.isTTY || typeof input.setRawMode !== 'function') {
    throw new FieldlineError('OPERATOR_SIGN_IN_REQUIRED', `${envName} is not set and standard input is not a terminal`);
  }
  return readHidden(prompt, input, io.output ?? process.stderr);
}

/** The operator this command runs as: undefined when none is named, or the station has no operators yet. */
export async function signInCli(core: Core, opts: OperatorCliOptions, io: SignInIo = {}): Promise<Acting> {
  const name = opts.operator ?? (io.env ?? process.env)[OPERATOR_ENV];
  if (name === undefined || name === '' || !core.operators.claimed()) return undefined;
  const secret = await readSecret(OPERATOR_SECRET_ENV, `Secret of operator ${name}: `, io);
  return core.operators.signIn(name, secret);
}

/**
 * Signs in (when an operator is named) and checks `permission`; answers the audit actor (`operator:NAME`), or
 * undefined on a station without operators. `action` is what a refusal names ("ca init needs the admin role; …").
 */
export async function authorizeCli(core: Core, opts: OperatorCliOptions, permission: Permission, action: string, io: SignInIo = {}): Promise<string | undefined> {
  return core.operators.authorize(await signInCli(core, opts, io), permission, action);
}

/** What a command that ran authorized writes to the audit log. */
export interface AuditedAction {
  action: string;
  subject: string;
  details?: Record<string, unknown>;
}

/**
 * For a command that does not otherwise open the store (`ca init`, `ca import`): checks `permission` before the
 * command does anything, and answers the function that audits what it did as the signed-in operator. A data
 * directory without a store has no operators, so nothing is asked and no store is created for it — `ca init` on a
 * fresh directory behaves as it always did.
 */
export async function beginAuthorized(
  opts: CoreCliOptions & OperatorCliOptions,
  permission: Permission,
  action: string,
): Promise<(done: AuditedAction) => Promise<void>> {
  if (!existsSync(storeFilePath(cliDataDir(opts.dataDir)))) return async () => {};
  const actor = await withCore(opts, (core) => authorizeCli(core, opts, permission, action));
  return async (done) => {
    if (actor !== undefined) await withCore(opts, (core) => void core.store().appendAudit({ actor, ...done }));
  };
}
