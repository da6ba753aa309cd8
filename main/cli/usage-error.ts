/**
 * Commander's own errors (a missing or unknown option, a bad option value, an unknown command) as the CLI's
 * expected failures: code USAGE, exit 2, and — like every other error — one `{"error":…}` line under --json.
 * Commander prints nothing itself (buildProgram silences its outputError), so there is one way errors are shown.
 */
import type { Command, CommanderError } from 'commander';
import { FieldlineError } from '../errors';

/** Commander's codes for help and --version: a normal end (exit 0), or help shown because a command was missing. */
const HELP_CODES = new Set(['commander.helpDisplayed', 'commander.version', 'commander.help']);

export function isHelpOrVersion(err: CommanderError): boolean {
  return HELP_CODES.has(err.code);
}

/** The command the arguments name (`fieldline smp echo`), for a fix that points at that command's --help. */
export function commandPath(program: Command, args: readonly string[]): string {
  const names = [program.name()];
  let current = program;
  for (const arg of args) {
    if (arg.startsWith('-')) continue;
    const next = current.commands.find((c) => c.name() === arg || c.aliases().includes(arg));
    if (!next) break;
    names.push(next.name());
    current = next;
  }
  return names.join(' ');
}

/** A commander error in the CLI's terms, with a fix that names the missing option or the command's --help. */
export function usageError(err: CommanderError, command: string): FieldlineError {
  // Help shown in place of an error (a command group given without its command) carries no words of its own.
  const message = err.code === 'commander.help' ? `${command} needs a command` : err.message.replace(/^error:\s*/, '');
  const help = `\`${command} --help\` lists its options and arguments`;
  const missing = err.code === 'commander.missingMandatoryOptionValue' ? /'([^']+)'/.exec(message)?.[1] : undefined;
  const hint = missing ? `add ${missing} (${help})` : `check the command line: ${help}`;
  return new FieldlineError('USAGE', message, { hint, commander: err.code }, { cause: err });
}
