/** The `fieldline` command line: one file per command family, assembled here. */
import { Command, CommanderError } from 'commander';
import { readFileSync } from 'node:fs';
import { describeError } from '../contract/errors';
import { FieldlineError } from '../errors';
import { registerSimCommands } from './sim';
import { registerSmpCommands } from './smp';

function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

export function buildProgram(): Command {
  const program = new Command('fieldline')
    .description('Provision and service IoT gateways over USB serial and Bluetooth LE (SMP / MCUmgr).')
    .version(packageVersion())
    .showHelpAfterError('(add --help for usage)')
    .exitOverride();
  registerSmpCommands(program);
  registerSimCommands(program);
  return program;
}

/** Prints an expected failure in the technician's words (and as JSON under --json); exits non-zero. */
export function reportError(err: unknown, json: boolean): number {
  if (err instanceof FieldlineError) {
    const described = describeError(err.code, err.message);
    if (json) process.stdout.write(JSON.stringify({ error: described }) + '\n');
    else process.stderr.write(`fieldline: ${described.message}${described.hint ? `\n  fix: ${described.hint}` : ''}\n`);
    return 1;
  }
  process.stderr.write(`fieldline: internal error: ${(err as Error)?.stack ?? String(err)}\n`);
  return 70;
}

export async function main(argv: string[]): Promise<void> {
  const program = buildProgram();
  const json = argv.includes('--json');
  try {
    await program.parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      process.exitCode = err.exitCode;
      return;
    }
    process.exitCode = reportError(err, json);
  }
}
