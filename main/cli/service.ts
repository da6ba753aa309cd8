/**
 * `fieldline service diagnose|remediate|update|renew`: the field-service actions on one gateway, each recorded as a
 * service record (a run record with a `service` section) that is queued and synced like a run. The profile is never
 * given: it is the one the device was provisioned with, found from its history in the store or the visit kit.
 * Exit codes: 0 the action passed, 1 it failed (the record says why), 2 usage or environment.
 */
import { Command } from 'commander';
import { hostname } from 'node:os';
import { createInterface } from 'node:readline/promises';
import type { Difference } from '../contract/drift';
import type { ServiceResult } from '../contract/service';
import { prepareTarget, type DeviceTarget } from '../device/target';
import { FieldlineError } from '../errors';
import type { Core } from '../core/core';
import type { Permission } from '../contract/operators';
import type { BleRadios } from '../transport/ble/noble';
import { withCore } from './core';
import { authorizeCli, operatorOption, type OperatorCliOptions } from './operator-sign-in';
import { cliLogger, print, type OutputOptions } from './output';
import { addTargetOptions, runOnTarget, type TargetCliOptions } from './target-options';

interface ServiceCliOptions extends OutputOptions, TargetCliOptions, OperatorCliOptions {
  dataDir?: string;
  station: string;
  timeout: number;
  yes?: boolean;
  image?: string;
  allowUnreleased?: boolean;
}

type Action = 'diagnose' | 'remediate' | 'update' | 'renew';

const difference = (d: Difference): string => `${d.kind} ${d.name}: ${d.actual ?? '(absent)'} → ${d.expected ?? '(absent)'}`;

/** The record in a technician's words: what it was based on, each step, and what the device holds now. */
export function describeResult(result: ServiceResult): string {
  const { record, basis } = result;
  const lines = [
    `${result.action} ${record.device.serial}: ${record.outcome} (service record ${record.id})`,
    `  previous run: ${basis.runId} of ${basis.startedAt}, ${basis.outcome}, station ${basis.station} (${basis.source === 'kit' ? 'from the visit kit' : "from this station's store"})`,
    `  profile: ${basis.profile.name}@${basis.profile.version}${basis.profileFound ? ` (${basis.profileFound.source === 'kit' ? 'visit kit' : 'station'}: ${basis.profileFound.path})` : ''}`,
  ];
  for (const step of record.steps.slice(1)) lines.push(`  ${step.name}: ${step.outcome}${step.error ? ` — ${step.error.message}` : ''}`);
  for (const d of result.diagnostics) lines.push(`    ${d.passed ? 'pass' : 'FAIL'} ${d.name}${d.detail && !d.passed ? ` (${d.detail})` : ''}`);
  for (const d of result.fixed ?? []) lines.push(`  fixed ${difference(d)}`);
  for (const d of result.remaining ?? []) lines.push(`  remaining ${difference(d)}${d.fixable ? '' : ' (not fixable here)'}`);
  if (result.revokedOld) lines.push(`  old certificate ${result.revokedOld.serial}: ${result.revokedOld.reason}`);
  if (record.certificate && record.service?.action === 'renew') lines.push(`  new certificate ${record.certificate.serial} (SHA-256 ${record.certificate.fingerprintSha256}), valid to ${record.certificate.notAfter}`);
  for (const action of record.rollback?.actions ?? []) lines.push(`  rollback ${action.action}: ${action.outcome}${action.verified ? ` (${action.verified})` : ''}`);
  if (record.device.firmwareAfter && record.device.firmwareAfter !== record.device.firmwareBefore) lines.push(`  firmware ${record.device.firmwareBefore ?? '?'} → ${record.device.firmwareAfter}`);
  return lines.join('\n');
}

/** Remediate writes to the device: the technician sees the diff and says yes, or passes --yes. */
async function confirmRemediation(core: Core, opts: ServiceCliOptions, target: DeviceTarget): Promise<boolean> {
  const inspection = await core.service.inspect({ target, timeoutMs: opts.timeout });
  const differences = inspection.drift.provisioned?.differences ?? [];
  const fixable = differences.filter((d) => d.fixable);
  const basis = inspection.basis;
  process.stderr.write(
    `${inspection.serial} against ${basis ? `${basis.profile.name}@${basis.profile.version} (run ${basis.runId})` : 'its profile'}:\n` +
      (fixable.length === 0 ? '  no difference to write back\n' : fixable.map((d) => `  ${difference(d)}\n`).join('')),
  );
  if (fixable.length === 0) return true;
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await rl.question(`Write ${fixable.length} golden value(s) back to the device? [y/N] `)).trim());
  } finally {
    rl.close();
  }
}

const PERMISSION: Permission = 'service';

async function serviceCommand(action: Action, opts: ServiceCliOptions, target: DeviceTarget, radios: BleRadios): Promise<number> {
  // Checked before anything is opened: a confirmation nobody can give must not wait on a pipe.
  if (action === 'remediate' && !opts.yes && !process.stdin.isTTY) {
    throw new FieldlineError('USAGE', 'service remediate writes to the device and asks first, but standard input is not a terminal', {
      hint: 'pass --yes to write the golden values back without asking',
    });
  }
  await prepareTarget(target, radios, cliLogger(opts, 'ble'));
  return withCore(
    opts,
    async (core) => {
      // An image that is not a firmware release of the followed channel is an override, as for a run.
      const override = action === 'update' && opts.allowUnreleased === true;
      const actor = await authorizeCli(core, opts, override ? 'override' : PERMISSION, `service ${action}${override ? ' with an unreleased image' : ''}`);
      const operator = actor?.replace(/^operator:/, '') ?? ((await core.settings()).operator() || `station:${core.station.name}`);
      const request = { target, operator, actor: actor ?? `station:${core.station.name}`, timeoutMs: opts.timeout };
      if (action === 'remediate' && !opts.yes && !(await confirmRemediation(core, opts, target))) {
        process.stderr.write('nothing written: not confirmed\n');
        return 1;
      }
      const result =
        action === 'diagnose'
          ? await core.service.diagnose(request)
          : action === 'remediate'
            ? await core.service.remediate(request)
            : action === 'update'
              ? await core.service.update({ ...request, ...(opts.image ? { image: opts.image } : {}), ...(override ? { allowUnreleased: true } : {}) })
              : await core.service.renew(request);
      print(opts, result, () => describeResult(result));
      return result.outcome === 'passed' ? 0 : 1;
    },
    'service',
    radios,
  );
}

const DESCRIPTIONS: Record<Action, string> = {
  diagnose: "run the acceptance diagnostics of the profile the device was provisioned with (nothing is written)",
  remediate: 'write back every setting and file that drifted from the profile the device was provisioned with (shows the diff and asks first)',
  update: 'install the firmware of the current release (or --image): MCUboot test, reset, diagnostics, then confirm — or revert',
  renew: "a new key on the device and a new certificate from the station CA; the old certificate revoked (superseded) when this station's CA issued it",
};

export function registerServiceCommands(program: Command): void {
  const service = program
    .command('service')
    .description('field-service actions on a gateway, each recorded as a service record and synced like a run');
  for (const action of ['diagnose', 'remediate', 'update', 'renew'] as const) {
    const command = operatorOption(addTargetOptions(service.command(action).description(DESCRIPTIONS[action]), 'serial port of the gateway'))
      .option('--station <name>', 'station name', hostname())
      .option('--data-dir <dir>', 'data directory')
      .option('-t, --timeout <ms>', 'per-request timeout in ms', (v) => Number(v), 3000)
      .option('--json', 'print the result and its service record as JSON')
      .option('-v, --verbose', 'log to stderr');
    if (action === 'remediate') command.option('-y, --yes', 'write without asking (needed when standard input is not a terminal)');
    if (action === 'update') {
      command
        .option('--image <file>', 'a signed MCUboot image to install instead of the current release’s')
        .option('--allow-unreleased', 'on a station that follows a release channel, an --image that is not one of its firmware releases (needs a supervisor; audited)');
    }
    command
      .addHelpText('after', '\nThe profile is the one of the device\'s last passed provisioning run (store or visit kit), never given.\nExit codes: 0 passed, 1 failed (see the service record), 2 usage or environment error.')
      .action((opts: ServiceCliOptions) => runOnTarget(opts, (target, radios) => serviceCommand(action, opts, target, radios)));
  }
}
