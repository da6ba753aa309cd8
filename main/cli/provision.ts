/**
 * `fieldline provision`: one run against one gateway, with live step progress, ending with the run record.
 * Exit codes: 0 passed, 1 failed (the device was rolled back), 2 usage or environment (nothing was done).
 */
import { Command } from 'commander';
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { describeError, isErrorCode } from '../contract/errors';
import { FieldlineError } from '../errors';
import { loadProfile, type LoadedProfile } from '../profiles/load';
import { checkProfileTrust } from '../profiles/signature';
import type { ProvisionEvents } from '../provisioning/context';
import type { RunRecord, StepRecord } from '../contract/run-record';
import { formatLimits, formatMeasured } from '../contract/limits-text';
import { runAction, runPermission } from '../contract/operators';
import type { Core } from '../core/core';
import { withCore } from './core';
import { authorizeCli, operatorOption, type OperatorCliOptions } from './operator-sign-in';
import { cliLogger, exitCodeFor, printJson, type OutputOptions } from './output';
import { createProgressBar } from './progress-bar';
import { auditUnreleased, loadProfileFileForRun } from '../core/release-gate';
import { collectVar } from './profile';
import { addTargetOptions, runOnTarget, type TargetCliOptions } from './target-options';
import { prepareTarget, type DeviceTarget } from '../device/target';
import type { BleRadios } from '../transport/ble/noble';

export interface ProvisionCliOptions extends OutputOptions, TargetCliOptions, OperatorCliOptions {
  profile: string;
  var: Record<string, string>;
  dataDir?: string;
  station: string;
  requireSignature?: boolean;
  allowUnreleased?: boolean;
  reprovision?: boolean;
  timeout: number;
}

const seconds = (s: StepRecord): string => ((Date.parse(s.endedAt) - Date.parse(s.startedAt)) / 1000).toFixed(2);

/** Live progress: a line per step on stderr in text mode (the record goes to stdout), JSON events under --json. */
export function progressPrinter(opts: OutputOptions): ProvisionEvents {
  if (opts.json) {
    return {
      onStepStart: (step) => printJson({ event: 'step-start', step }),
      onStepEnd: (s) => printJson({ event: 'step-end', step: s.name, outcome: s.outcome, seconds: Number(seconds(s)), ...(s.error ? { error: s.error } : {}) }),
      onStepMessage: (step, message) => printJson({ event: 'step-message', step, message }),
      onProgress: (step, progress) => printJson({ event: 'progress', step, ...progress }),
      onDiagnostic: (r) => printJson({ event: 'diagnostic', ...r }),
    };
  }
  // The upload's bar is redrawn in place on a terminal; any other line ends it first.
  const bar = createProgressBar(opts);
  const err = (line: string): void => {
    bar.finish();
    process.stderr.write(line + '\n');
  };
  return {
    onStepStart: (step) => err(`… ${step}`),
    onStepEnd: (s) => err(`${s.outcome === 'passed' ? '✓' : '✗'} ${s.name} (${seconds(s)} s)${s.error ? ` — ${s.error.message}` : ''}`),
    onStepMessage: (step, message) => err(`  ${step}: ${message}`),
    onProgress: (_step, progress) => bar.show(progress),
    onDiagnostic: (r) => err(`  ${r.passed ? 'pass' : 'FAIL'} ${r.name}: ${formatMeasured(r)} — limit ${formatLimits(r)}${r.detail ? ` (${r.detail})` : ''}`),
  };
}

export function summarize(record: RunRecord): string {
  const lines = [
    `run ${record.id}: ${record.outcome.toUpperCase()}`,
    `  device ${record.device.serial} on ${record.device.port}, firmware ${record.device.firmwareBefore ?? '?'} → ${record.device.firmwareAfter ?? '?'}`,
    `  profile ${record.profile.name}@${record.profile.version}`,
  ];
  if (record.certificate) lines.push(`  certificate ${record.certificate.serial} (${record.certificate.mode}), SHA-256 ${record.certificate.fingerprintSha256}${record.certificate.revoked ? ', REVOKED' : ''}`);
  if (record.error) {
    lines.push(`  error ${record.error.code}: ${record.error.message}`);
    // The fix for the code (IDENTITY_EXISTS: keep or replace the identity), as every other error prints it.
    const hint = isErrorCode(record.error.code) ? describeError(record.error.code).hint : undefined;
    if (hint) lines.push(`  fix: ${hint}`);
  }
  for (const a of record.rollback?.actions ?? []) lines.push(`  rollback: ${a.action} — ${a.outcome}${a.detail ? ` (${a.detail})` : ''}`);
  return lines.join('\n');
}

/** Loads the profile and applies the station's signature policy. */
export async function loadTrustedProfile(file: string, dataDir: string, requireSignature: boolean): Promise<LoadedProfile> {
  return (await loadProfileWithTrust(file, dataDir, requireSignature)).profile;
}

/** The profile, and whether a trusted publisher signed it: a run with one that none signed needs a supervisor. */
export async function loadProfileWithTrust(file: string, dataDir: string, requireSignature: boolean): Promise<{ profile: LoadedProfile; trusted: boolean }> {
  const profile = await loadProfile(resolve(file));
  const trust = await checkProfileTrust(profile.path, { dataDir, required: requireSignature });
  return { profile, trusted: trust.status === 'trusted' };
}

/** A run that stopped before the device was identified: nothing was written to it and nothing was recorded. */
function notReached(record: RunRecord): FieldlineError {
  const code = record.error && isErrorCode(record.error.code) ? record.error.code : 'DEVICE_TIMEOUT';
  const what = code === 'DEVICE_TIMEOUT' ? `no SMP answer from ${record.device.port}` : (record.error?.message ?? `no answer from ${record.device.port}`);
  return new FieldlineError(code, `${what}: nothing was changed, no run recorded`, { port: record.device.port });
}

export async function provisionCommand(opts: ProvisionCliOptions, target: DeviceTarget, radios: BleRadios): Promise<number> {
  await prepareTarget(target, radios, cliLogger(opts, 'ble'));
  return withCore(opts, (core) => provisionWith(core, opts, target), undefined, radios);
}

async function provisionWith(core: Core, opts: ProvisionCliOptions, target: DeviceTarget): Promise<number> {
  const { profile, trusted, release, unreleased } = await loadProfileFileForRun(opts.profile, core.dataDir, {
    requireSignature: opts.requireSignature ?? false,
    allowUnreleased: opts.allowUnreleased ?? false,
  });
  // An unreleased profile on a station that follows a channel is an override, as an untrusted one is.
  const run = { rework: opts.reprovision ?? false, trustedProfile: trusted && unreleased === undefined };
  // Who asks, then the passphrase and the CA, then the store, before the device is opened: any of them missing ends
  // the command with nothing done.
  const actor = await authorizeCli(core, opts, runPermission(run), runAction('provision', run));
  await core.signer();
  auditUnreleased(core.store(), { actor: actor ?? `station:${core.station.name}`, profile, verdict: { unreleased }, command: 'provision' });
  const abort = new AbortController();
  const onSignal = (): void => abort.abort();
  process.once('SIGINT', onSignal);
  try {
    const record = await core.runner.run({
      target,
      timeoutMs: opts.timeout,
      profile,
      variables: opts.var,
      reprovision: opts.reprovision ?? false,
      ...(release ? { release } : {}),
      actor,
      logger: cliLogger(opts, 'provision'),
      events: progressPrinter(opts),
      signal: abort.signal,
    });
    // The runner records a run only once the device has said who it is: before that there is no run to show, and
    // printing this record would hand out an id `fieldline runs show` does not know.
    if (!record.device.serial) throw notReached(record);
    if (opts.json) printJson(record);
    else process.stdout.write(summarize(record) + '\n');
    // A run the store stopped (a full disk mid-run) is the environment's failure, not the device's.
    return record.outcome === 'passed' ? 0 : exitCodeFor(record.error?.code);
  } finally {
    process.removeListener('SIGINT', onSignal);
  }
}

export function registerProvisionCommand(program: Command): void {
  const command = program
    .command('provision')
    .description('provision one gateway with a profile: identify, firmware, identity, configuration, diagnostics, finalize (rolled back on failure)');
  operatorOption(addTargetOptions(command, 'serial port of the gateway'))
    .requiredOption('--profile <file>', 'profile (YAML)')
    .option('--var <name=value>', 'batch variable for the profile templates (repeatable)', collectVar, {})
    .option('--station <name>', 'station name recorded in the run', hostname())
    .option('--require-signature', 'refuse a profile not signed by a trusted publisher key (<data-dir>/trust/*.pub.pem)')
    .option('--allow-unreleased', 'on a station that follows a release channel, use a profile that is not one of its releases (needs a supervisor; audited)')
    .option('--reprovision', "replace an identity the device already holds, as the profile's identity.existing: replace (a new certificate; the old one revoked once the new one is proved)")
    .option('--data-dir <dir>', 'data directory (default: FIELDLINE_DATA_DIR or the per-user app folder)')
    .option('-t, --timeout <ms>', 'per-request timeout in ms', (v) => Number(v), 3000)
    .option('--json', 'JSON lines: step events, then the run record')
    .option('-v, --verbose', 'log to stderr')
    .addHelpText(
      'after',
      '\nExit codes: 0 passed; 1 failed (the run is recorded and the device rolled back); 2 usage or environment error, ' +
        'nothing done — also a port where no device answers SMP: nothing was changed and no run is recorded, so it is ' +
        'not a device failure.\nCA passphrase: FIELDLINE_CA_PASSPHRASE or a prompt (a CA key in a PKCS#11 token: its PIN, FIELDLINE_PKCS11_PIN or a prompt).',
    )
    .action((opts: ProvisionCliOptions) => runOnTarget(opts, (target, radios) => provisionCommand(opts, target, radios)));
}
