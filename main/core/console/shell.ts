/**
 * The shell console: one command line, split into argv as Zephyr's shell splits it (blanks; double or single
 * quotes keep a blank inside one argument), run through the shell group once — never retried, since running a
 * command twice could do twice what it does — and what it printed, bounded and cleaned.
 */
import { CONSOLE_LIMITS, type ConsoleShell } from '../../contract/console';
import type { GatewaySession } from '../../device/session';
import { FieldlineError } from '../../errors';
import { shellExec } from '../../smp/groups/shell';
import { deviceText } from './text';

export function splitCommand(line: string): string[] {
  const argv: string[] = [];
  let current = '';
  let quote: '"' | "'" | undefined;
  let inWord = false;
  for (const ch of line) {
    if (quote) {
      if (ch === quote) quote = undefined;
      else current += ch;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
      inWord = true;
    } else if (ch === ' ' || ch === '\t') {
      if (inWord) argv.push(current);
      current = '';
      inWord = false;
    } else {
      current += ch;
      inWord = true;
    }
  }
  if (quote) throw new FieldlineError('INVALID_ARGUMENT', `unclosed ${quote} in the command`);
  if (inWord) argv.push(current);
  if (argv.length === 0) throw new FieldlineError('INVALID_ARGUMENT', 'no command given');
  return argv;
}

export async function runShell(session: GatewaySession, argv: string[]): Promise<ConsoleShell> {
  const result = await shellExec(session.client, argv);
  const { text, truncated } = deviceText(result.output, CONSOLE_LIMITS.outputChars);
  return { output: text, ret: result.ret, truncated };
}
