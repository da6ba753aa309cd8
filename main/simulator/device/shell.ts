/**
 * Shell group (9), after Zephyr's shell_mgmt.c: argv is joined with spaces into one command line (so the shell
 * splits it again, as the device does), run on the dummy backend, and answered {o: output, ret: return code}.
 */
import { GROUP } from '../../smp/error-codes';
import type { Body, SimReply } from '../handler';
import type { DeviceContext } from './context';
import { BadRequest, defineGroup, groupErrors, ok, type DeviceGroupHandler } from './request';
import { commandHelp, shellCommands } from './shell-commands';
import { ERRNO, HELP_PRINTED, type ShellCommand, type ShellResult } from './shell-types';

const err = groupErrors(GROUP.SHELL);

/** CONFIG_SHELL_CMD_BUFF_SIZE: the command line, spaces included, must stay below this. */
export const SHELL_CMD_BUFF_SIZE = 256;
/** CONFIG_SHELL_BACKEND_DUMMY_BUF_SIZE: the dummy backend keeps one byte for its terminator and drops the rest. */
export const SHELL_DUMMY_BUF_SIZE = 300;

/** z_shell_make_argv, simplified: whitespace separates, double quotes group, a backslash escapes one character. */
export function splitCommandLine(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let inToken = false;
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i] as string;
    if (c === '\\' && i + 1 < line.length) {
      cur += line[++i];
      inToken = true;
    } else if (c === '"') {
      quoted = !quoted;
      inToken = true;
    } else if (!quoted && /\s/.test(c)) {
      if (inToken) out.push(cur);
      cur = '';
      inToken = false;
    } else {
      cur += c;
      inToken = true;
    }
  }
  if (inToken) out.push(cur);
  return out;
}

export async function runCommandLine(commands: ShellCommand[], line: string): Promise<ShellResult> {
  const words = splitCommandLine(line);
  const first = words[0];
  if (first === undefined) return { out: '', ret: -ERRNO.ENOEXEC };
  const root = commands.find((c) => c.name === first);
  if (!root) return { out: `${first}: command not found\n`, ret: -ERRNO.ENOEXEC };
  let cmd: ShellCommand = root;
  let i = 1;
  for (; i < words.length; i++) {
    const word = words[i] as string;
    if (word === '-h' || word === '--help') return { out: commandHelp(cmd), ret: HELP_PRINTED };
    const sub: ShellCommand | undefined = cmd.subcommands?.find((c) => c.name === word);
    if (!sub) break;
    cmd = sub;
  }
  if (!cmd.run) return { out: commandHelp(cmd), ret: HELP_PRINTED };
  const args = words.slice(i);
  if (args.length < (cmd.minArgs ?? 0) || args.length > (cmd.maxArgs ?? 0)) {
    return { out: `${cmd.name}: wrong parameter count\n${commandHelp(cmd)}`, ret: -ERRNO.EINVAL };
  }
  return cmd.run(args);
}

/** What the dummy backend hands back: CRLF line ends (SHELL_FLAG_OLF_CRLF), cut to its buffer. */
export function captureOutput(out: string): string {
  const crlf = out.replace(/\n/g, '\r\n');
  const bytes = Buffer.from(crlf, 'utf8');
  return bytes.length < SHELL_DUMMY_BUF_SIZE ? crlf : bytes.subarray(0, SHELL_DUMMY_BUF_SIZE - 1).toString('utf8');
}

export function createShellGroup(ctx: DeviceContext): DeviceGroupHandler {
  const commands = shellCommands(ctx);

  async function exec(body: Body): Promise<SimReply> {
    const argv = body.argv;
    if (!Array.isArray(argv) || !argv.every((a): a is string => typeof a === 'string')) {
      throw new BadRequest('argv must be an array of text strings');
    }
    if (argv.length === 0) return err('EMPTY_COMMAND');
    let len = 0;
    for (const word of argv) {
      if (len + Buffer.byteLength(word, 'utf8') >= SHELL_CMD_BUFF_SIZE) return err('COMMAND_TOO_LONG');
      len += Buffer.byteLength(word, 'utf8') + 1;
    }
    const result = await runCommandLine(commands, argv.join(' '));
    return ok({ o: captureOutput(result.out), ret: result.ret });
  }

  return defineGroup({ group: GROUP.SHELL, name: 'shell mgmt', commands: { 0: { write: ({ body }) => exec(body) } } });
}
