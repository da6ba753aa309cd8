/**
 * `fieldline drift`: every difference between a device and its golden configuration, for a service visit.
 * Exit codes: 0 no difference (or all fixed with --fix), 1 differences, 2 usage or environment.
 */
import { Command } from 'commander';
import { hostname } from 'node:os';
import { openTarget, prepareTarget, type DeviceTarget } from '../device/target';
import type { BleRadios } from '../transport/ble/noble';
import type { DriftOutcome } from '../core/drift';
import type { Difference } from '../provisioning/drift';
import { withCore } from './core';
import { authorizeCli, operatorOption, type OperatorCliOptions } from './operator-sign-in';
import { cliLogger, print, type OutputOptions } from './output';
import { collectVar } from './profile';
import { loadTrustedProfile } from './provision';
import type { ProfileForRun } from '../core/profiles';
import { auditUnreleased, loadProfileFileForRun } from '../core/release-gate';
import { addTargetOptions, runOnTarget, type TargetCliOptions } from './target-options';

interface DriftCliOptions extends OutputOptions, TargetCliOptions, OperatorCliOptions {
  profile: string;
  var: Record<string, string>;
  fix?: boolean;
  dataDir?: string;
  station: string;
  requireSignature?: boolean;
  allowUnreleased?: boolean;
  timeout: number;
}

const line = (d: Difference): string => `${d.kind} ${d.name}: expected ${d.expected ?? '(absent)'}, device has ${d.actual ?? '(absent)'}`;

/** This very command line with --fix added, quoted for a shell, to copy from the report. */
function sameCommandWithFix(): string {
  const quote = (a: string): string => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`);
  return ['fieldline', ...process.argv.slice(2).map(quote), '--fix'].join(' ');
}

async function driftCommand(opts: DriftCliOptions, target: DeviceTarget, radios: BleRadios): Promise<number> {
  await prepareTarget(target, radios, cliLogger(opts, 'ble'));
  return withCore(opts, async (core) => {
    // A fix writes the profile's values: through the release gate, as a run is; a check only reads.
    const requireSignature = opts.requireSignature ?? false;
    const loaded: ProfileForRun = opts.fix
      ? await loadProfileFileForRun(opts.profile, core.dataDir, { requireSignature, allowUnreleased: opts.allowUnreleased ?? false })
      : { profile: await loadTrustedProfile(opts.profile, core.dataDir, requireSignature) };
    const { profile, ...verdict } = loaded;
    const actor = await authorizeCli(core, opts, verdict.unreleased ? 'override' : 'service', opts.fix ? `drift --fix${verdict.unreleased ? ' with an unreleased profile' : ''}` : 'drift');
    // The store before the device: a store that cannot be opened ends the command before the gateway is touched.
    auditUnreleased(core.store(), { actor: actor ?? `station:${opts.station}`, profile, verdict, command: 'drift --fix' });
    const session = await openTarget(target, { timeoutMs: opts.timeout, logger: cliLogger(opts, 'drift'), radios });
    try {
      const fix = opts.fix ? { actor: actor ?? `station:${opts.station}` } : undefined;
      return driftReport(opts, await core.drift({ session, profile, variables: opts.var, fix }));
    } finally {
      await session.close();
    }
  });
}

/** Prints the report (and what --fix did); the exit code: 0 nothing remains, 1 differences. */
function driftReport(opts: DriftCliOptions, { report, fixed, remaining }: DriftOutcome): number {
  print(opts, { ...report, ...(opts.fix ? { fixed, remaining } : {}) }, () => {
    const lines = [`${report.serial} (firmware ${report.firmware}) against ${report.profile.name}@${report.profile.version}:`];
    if (report.differences.length === 0) lines.push('  no difference');
    for (const d of report.differences) lines.push(`  ${line(d)}${d.fixable ? '' : ' (not fixable by drift --fix)'}`);
    if (opts.fix) lines.push(`fixed ${fixed.length}; ${remaining.length} difference(s) remain`);
    else if (report.differences.some((d) => d.fixable)) lines.push(`fix: \`${sameCommandWithFix()}\` writes the golden values back (and records it in the audit log)`);
    return lines.join('\n');
  });
  return remaining.length === 0 ? 0 : 1;
}

export function registerDriftCommand(program: Command): void {
  const command = program
    .command('drift')
    .description('compare a device with its golden configuration (settings, files, firmware minimum, identity)');
  operatorOption(addTargetOptions(command, 'serial port of the gateway'))
    .requiredOption('--profile <file>', 'profile (YAML)')
    .option('--var <name=value>', "batch variable (default: those of the device's last passed run)", collectVar, {})
    .option('--fix', 'write the golden value of every setting and file that differs, and record it in the audit log')
    .option('--station <name>', 'station name', hostname())
    .option('--require-signature', 'refuse a profile not signed by a trusted publisher key')
    .option('--allow-unreleased', 'on a station that follows a release channel, --fix with a profile that is not one of its releases (needs a supervisor; audited)')
    .option('--data-dir <dir>', 'data directory')
    .option('-t, --timeout <ms>', 'per-request timeout in ms', (v) => Number(v), 3000)
    .option('--json', 'print JSON')
    .option('-v, --verbose', 'log to stderr')
    .addHelpText('after', '\nExit codes: 0 no difference (or all fixed), 1 differences, 2 usage or environment error.')
    .action((opts: DriftCliOptions) => runOnTarget(opts, (target, radios) => driftCommand(opts, target, radios)));
}
