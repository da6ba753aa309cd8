/** The `fieldline` command line: one file per command family, assembled here. */
import { Command, CommanderError } from 'commander';
import { readFileSync } from 'node:fs';
import { addCommandSummaries } from './command-summaries';
import { FAMILIES, familiesFor, registerFamilies, type Selection } from './families';
import { reportError } from './output';
import { commandPath, isHelpOrVersion, usageError } from './usage-error';
import { exitWithin } from './exit-rule';

function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

/**
 * The program with the selected command families registered (default: every one). main() selects only the family its
 * arguments name, or none and the commands' stand-ins for top-level help (main/cli/families.ts), so a command loads
 * its own corner of the tree and nothing else.
 */
export async function buildProgram(selection: Selection = { families: FAMILIES, summaries: false }): Promise<Command> {
  const program = new Command('fieldline')
    .description('Provision and service IoT gateways over USB serial and Bluetooth LE (SMP / MCUmgr).')
    .version(packageVersion())
    // Usage errors are reported by main() like every other error (words and a fix, or one JSON line under --json):
    // commander throws them instead of exiting and prints nothing itself. Set before the commands are added, which
    // inherit it.
    .configureOutput({ outputError: () => {} })
    .exitOverride()
    // `sim` needs its options after its name kept for it; set here so every command parses the same way whether or
    // not the sim family is loaded (a -V after a command name is that command's option, never the version flag).
    .enablePositionalOptions();
  await registerFamilies(program, selection.families);
  if (selection.summaries) addCommandSummaries(program);
  return program;
}

/**
 * Runs one command. Exit codes, one rule for every command (exitCodeFor in main/cli/output.ts): 0 success; 1 the
 * device or the run failed, or a failing result (a difference found, a broken audit chain); 2 usage or environment
 * (a missing or unknown option, a bad file, no CA, a port that is not a serial port, the store); 70 a bug. A command
 * that ends with a non-zero code exits within 2 s even if it left something open (main/cli/exit-rule.ts).
 */
export async function main(argv: string[]): Promise<void> {
  const program = await buildProgram(familiesFor(argv.slice(2)));
  const json = argv.includes('--json');
  try {
    await program.parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError && isHelpOrVersion(err)) {
      // Help asked for ends 0; help shown because no command was given is a usage error, already printed on stderr.
      process.exitCode = err.exitCode === 0 ? 0 : 2;
      if (process.exitCode !== 0 && json) reportError(usageError(err, commandPath(program, argv.slice(2))), true);
    } else {
      process.exitCode = reportError(err instanceof CommanderError ? usageError(err, commandPath(program, argv.slice(2))) : err, json);
    }
  }
  const code = Number(process.exitCode ?? 0);
  if (code !== 0) exitWithin(code);
}
