/**
 * `fieldline station` on its own, for tests that run it as a child process without depending on how main/cli/index.ts
 * assembles the commands: `node --import tsx main/testing/station-main.ts station --demo …`.
 */
import { Command } from 'commander';
import { registerStationCommand } from '../cli/station';

const program = new Command('fieldline');
registerStationCommand(program);
await program.parseAsync(process.argv);
