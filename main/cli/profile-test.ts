/**
 * `fieldline profile test <file>`: provisions a fresh virtual gateway with the profile and reports the run —
 * a gate for profile changes in a team's own CI. Exit 0 when the run passed and left no drift, 1 otherwise.
 */
import { Command } from 'commander';
import { loadProfile } from '../profiles/load';
import { testProfile } from '../core/profile-test';
import { cliLogger, printJson, type OutputOptions } from './output';
import { collectVar } from './profile';
import { progressPrinter, summarize } from './provision';
import { startProfileTestGateway } from './sim';

interface ProfileTestCliOptions extends OutputOptions {
  var: Record<string, string>;
  firmwareVersion?: string;
  fault: string[];
}

export function registerProfileTestCommand(profile: Command): void {
  profile
    .command('test <file>')
    .description('provision a fresh virtual gateway with the profile and report the run (a CI gate for profile changes)')
    .option('--var <name=value>', 'batch variable (repeatable)', collectVar, {})
    .option('--firmware-version <v>', 'firmware the virtual gateway runs before the run (exercises the firmware gate)')
    .option('--fault <spec>', 'inject a simulator fault (see `fieldline sim --help`), repeatable', (v: string, prev: string[]) => [...prev, v], [])
    .option('--json', 'JSON lines: step events, then {"record","drift"}')
    .option('-v, --verbose', 'log to stderr')
    .addHelpText('after', '\nExit codes: 0 the run passed and the gateway shows no drift, 1 otherwise, 2 the profile itself is invalid.')
    .action(async (file: string, opts: ProfileTestCliOptions) => {
      const profile = await loadProfile(file);
      const { record, drift } = await testProfile({
        profile,
        variables: opts.var,
        startGateway: startProfileTestGateway,
        faults: opts.fault,
        events: progressPrinter(opts),
        logger: cliLogger(opts, 'profile-test'),
        ...(opts.firmwareVersion ? { firmwareVersion: opts.firmwareVersion } : {}),
      });
      if (opts.json) printJson({ record, drift });
      else {
        process.stdout.write(summarize(record) + '\n');
        if (record.outcome === 'passed') {
          process.stdout.write(drift.length ? `drift after the run:\n${drift.map((d) => `  ${d.kind} ${d.name}: expected ${d.expected}, device has ${d.actual}`).join('\n')}\n` : 'no drift after the run\n');
        }
      }
      process.exitCode = record.outcome === 'passed' && drift.length === 0 ? 0 : 1;
    });
}
