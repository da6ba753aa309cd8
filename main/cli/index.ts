/** The `fieldline` command line: one file per command family, assembled here. */
import { Command, CommanderError } from 'commander';
import { readFileSync } from 'node:fs';
import { registerBatchCommand } from './batch';
import { registerBleCommands } from './ble';
import { registerCaCommands } from './ca';
import { registerLabelCommand } from './label';
import { registerLineCommands } from './line';
import { reportError } from './output';
import { registerDriftCommand } from './drift';
import { exitWithin } from './exit-rule';
import { registerProfileCommands } from './profile';
import { registerProfileTestCommand } from './profile-test';
import { registerProvisionCommand } from './provision';
import { registerQueueCommands } from './queue';
import { registerRegistryCommands } from './registry';
import { registerRegistryClientCommands } from './registry-station';
import { registerRepairCommand } from './repair';
import { registerReportCommand } from './report';
import { registerReplaceCommands } from './replace';
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
    .showHelpAfterError('(add --help for usage)')
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
  registerReportCommand(program);
  registerLabelCommand(program);
  registerLineCommands(program);
  registerRegistryClientCommands(registerRegistryCommands(program));
  registerReplaceCommands(program);
  registerQueueCommands(program);
  registerSyncCommand(program);
  registerStationCommand(program);
  registerStoreCommands(program);
  return program;
}

/**
 * Runs one command. Exit codes: 0 success; 1 a failing result (a device failed, a difference found) or an expected
 * error; 2 the environment — every STORE_* error (main/cli/output.ts), and the usage or environment errors of the
 * commands that say so; 70 a bug. A command that ends with a non-zero code exits within 2 s even if it left
 * something open (main/cli/exit-rule.ts).
 */
export async function main(argv: string[]): Promise<void> {
  const program = buildProgram();
  const json = argv.includes('--json');
  try {
    await program.parseAsync(argv);
  } catch (err) {
    process.exitCode = err instanceof CommanderError ? err.exitCode : reportError(err, json);
  }
  const code = Number(process.exitCode ?? 0);
  if (code !== 0) exitWithin(code);
}
