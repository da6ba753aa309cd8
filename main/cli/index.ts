/** The `fieldline` command line: one file per command family, assembled here. */
import { Command, CommanderError } from 'commander';
import { readFileSync } from 'node:fs';
import { registerBatchCommand } from './batch';
import { registerBleCommands } from './ble';
import { registerCaCommands } from './ca';
import { registerLabelCommand } from './label';
import { registerLineCommands } from './line';
import { reportError } from './output';
import { commandPath, isHelpOrVersion, usageError } from './usage-error';
import { registerDriftCommand } from './drift';
import { exitWithin } from './exit-rule';
import { registerProfileCommands } from './profile';
import { registerProfileTestCommand } from './profile-test';
import { registerProvisionCommand } from './provision';
import { registerQueueCommands } from './queue';
import { registerRegistryCommands } from './registry';
import { registerRegistryClientCommands } from './registry-station';
import { registerRepairCommand } from './repair';
import { registerReplaceCommands } from './replace';
import { registerReportCommand } from './report';
import { registerRunsCommands } from './runs';
import { registerSimCommands } from './sim';
import { registerSmpCommands } from './smp';
import { registerStationCommand } from './station';
import { registerStoreCommands } from './store';
import { registerSyncCommand } from './sync';

function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

export function buildProgram(): Command {
  const program = new Command('fieldline')
    .description('Provision and service IoT gateways over USB serial and Bluetooth LE (SMP / MCUmgr).')
    .version(packageVersion())
    // Usage errors are reported by main() like every other error (words and a fix, or one JSON line under --json):
    // commander throws them instead of exiting and prints nothing itself. Set before the commands are added, which
    // inherit it.
    .configureOutput({ outputError: () => {} })
    .exitOverride();
  registerSmpCommands(program);
  registerBleCommands(program);
  registerSimCommands(program);
  registerCaCommands(program);
  registerProfileTestCommand(registerProfileCommands(program));
  registerProvisionCommand(program);
  registerBatchCommand(program);
  registerDriftCommand(program);
  registerRunsCommands(program);
  registerRepairCommand(program);
  registerReplaceCommands(program);
  registerReportCommand(program);
  registerLabelCommand(program);
  registerLineCommands(program);
  registerRegistryClientCommands(registerRegistryCommands(program));
  registerQueueCommands(program);
  registerSyncCommand(program);
  registerStationCommand(program);
  registerStoreCommands(program);
  return program;
}

/**
 * Runs one command. Exit codes, one rule for every command (exitCodeFor in main/cli/output.ts): 0 success; 1 the
 * device or the run failed, or a failing result (a difference found, a broken audit chain); 2 usage or environment
 * (a missing or unknown option, a bad file, no CA, a port that is not a serial port, the store); 70 a bug. A command
 * that ends with a non-zero code exits within 2 s even if it left something open (main/cli/exit-rule.ts).
 */
export async function main(argv: string[]): Promise<void> {
  const program = buildProgram();
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
