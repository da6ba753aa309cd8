/**
 * `fieldline operator add|list|disable|passwd` (issue #14): the station's operator accounts. The first `operator
 * add --role admin` on a station without operators claims it and needs no sign-in; everything after needs an admin
 * signed in (--operator / FIELDLINE_OPERATOR), except that an operator may change their own secret.
 */
import type { Command } from 'commander';
import { createInterface } from 'node:readline/promises';
import { OPERATOR_ROLES, OPERATOR_SECRET_MIN, type OperatorInfo, type OperatorRole } from '../contract/operators';
import { FieldlineError } from '../errors';
import { withCore, type CoreCliOptions } from './core';
import { operatorOption, readSecret, signInCli, OPERATOR_ENV, OPERATOR_SECRET_ENV, type OperatorCliOptions } from './operator-sign-in';
import { print } from './output';

/** The secret of the operator being added or changed (CI, factory set-up scripts); else asked twice. */
export const NEW_OPERATOR_SECRET_ENV = 'FIELDLINE_NEW_OPERATOR_SECRET';

type Options = CoreCliOptions & OperatorCliOptions;

async function newSecret(name: string): Promise<string> {
  const fromEnv = process.env[NEW_OPERATOR_SECRET_ENV];
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  const first = await readSecret(NEW_OPERATOR_SECRET_ENV, `New secret of ${name} (passphrase or PIN, at least ${OPERATOR_SECRET_MIN} characters): `, { env: {} });
  const again = await readSecret(NEW_OPERATOR_SECRET_ENV, 'Repeat it: ', { env: {} });
  if (again !== first) throw new FieldlineError('INVALID_ARGUMENT', 'the two secrets differ');
  return first;
}

/** The new operator's name: the argument, else asked on a terminal (`operator add --role admin` as the issue types it). */
async function nameOf(arg: string | undefined): Promise<string> {
  if (arg !== undefined) return arg;
  if (!process.stdin.isTTY) throw new FieldlineError('USAGE', 'give the new operator\'s name: fieldline operator add NAME --role ROLE');
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return (await rl.question('Name of the new operator: ')).trim();
  } finally {
    rl.close();
  }
}

function roleOf(value: string): OperatorRole {
  const role = OPERATOR_ROLES.find((r) => r === value);
  if (!role) throw new FieldlineError('INVALID_ARGUMENT', `--role takes ${OPERATOR_ROLES.join(', ')}, not "${value}"`);
  return role;
}

function line(o: OperatorInfo): string {
  return `${o.name.padEnd(20)} ${o.role.padEnd(11)} ${o.disabled ? 'disabled' : 'enabled '}  since ${o.createdAt}  last sign-in ${o.lastSignInAt ?? 'never'}`;
}

export function registerOperatorCommands(program: Command): Command {
  const operator = program
    .command('operator')
    .description('operator accounts with roles (technician, supervisor, admin): add, list, disable, passwd')
    .addHelpText(
      'after',
      `\nSign in with --operator NAME (or ${OPERATOR_ENV}); the secret comes from ${OPERATOR_SECRET_ENV} or a prompt.\n` +
        `A new operator's secret comes from ${NEW_OPERATOR_SECRET_ENV} or is asked twice.\n` +
        'The first `operator add NAME --role admin` on a station without operators claims it and needs no sign-in.',
    );

  const common = (cmd: Command): Command =>
    operatorOption(cmd)
      .option('--data-dir <dir>', "data directory (default: FIELDLINE_DATA_DIR or the user's)")
      .option('--json', 'print JSON')
      .option('-v, --verbose', 'log to stderr');

  common(
    operator
      .command('add [name]')
      .description(`add an operator; the secret from ${NEW_OPERATOR_SECRET_ENV} or asked twice (the first operator must be an admin)`)
      .requiredOption('--role <role>', OPERATOR_ROLES.join(', ')),
  ).action(async (arg: string | undefined, opts: Options & { role: string }) => {
    const role = roleOf(opts.role);
    const name = await nameOf(arg);
    await withCore(opts, async (core) => {
      const acting = await signInCli(core, opts);
      // Refused before the new secret is asked for; add() checks again in its transaction.
      if (core.operators.claimed()) core.operators.authorize(acting, 'operators.manage', 'operator add');
      const added = await core.operators.add(acting, { name, role, secret: await newSecret(name) });
      print(opts, added, () => `operator ${added.name} added as ${added.role}`);
    });
  });

  common(operator.command('list').description('list the operators, their roles and last sign-in (admin)')).action(async (opts: Options) => {
    await withCore(opts, async (core) => {
      const list = core.operators.list(await signInCli(core, opts));
      print(opts, list, () => (list.length === 0 ? 'no operators: the station is unclaimed (fieldline operator add NAME --role admin)' : list.map(line).join('\n')));
    });
  });

  common(operator.command('disable <name>').description('disable an operator: they can no longer sign in (admin)')).action(async (name: string, opts: Options) => {
    await withCore(opts, async (core) => {
      const disabled = core.operators.disable(await signInCli(core, opts), name);
      print(opts, disabled, () => `operator ${disabled.name} disabled`);
    });
  });

  common(
    operator
      .command('passwd <name>')
      .description(`set an operator's secret (an admin for anyone, an operator for themself); from ${NEW_OPERATOR_SECRET_ENV} or asked twice; ends a lockout`),
  ).action(async (name: string, opts: Options) => {
    await withCore(opts, async (core) => {
      const acting = await signInCli(core, opts);
      await core.operators.passwd(acting, name, await newSecret(name));
      print(opts, { name, changed: true }, () => `secret of ${name} changed`);
    });
  });

  return operator;
}
