/**
 * `fieldline replace --old SERIAL (--port P | --ble X) --profile F`: a technician's device replacement
 * (main/provisioning/replace.ts), and `fieldline replacements SERIAL`, the store's links of one unit.
 * Exit codes: 0 replaced, 1 the new unit's run failed (rolled back; the old unit untouched), 2 usage or environment
 * (nothing done — also a new unit that passed but whose replacement could not be completed, which is said).
 */
import { Command } from 'commander';
import { hostname } from 'node:os';
import type { Core } from '../core/core';
import { prepareTarget, type DeviceTarget } from '../device/target';
import type { BleRadios } from '../transport/ble/noble';
import { checkNewUnit, planReplacement, type ReplacementResult } from '../provisioning/replace';
import { withCore } from './core';
import { authorizeCli, operatorOption, type OperatorCliOptions } from './operator-sign-in';
import { cliLogger, exitCodeFor, print, printJson, reportError, type OutputOptions } from './output';
import { progressPrinter, summarize } from './provision';
import { auditUnreleased, loadProfileFileForRun } from '../core/release-gate';
import { addTargetOptions, runOnTarget, type TargetCliOptions } from './target-options';

interface ReplaceCliOptions extends OutputOptions, TargetCliOptions, OperatorCliOptions {
  old: string;
  profile: string;
  dataDir?: string;
  station: string;
  requireSignature?: boolean;
  allowUnreleased?: boolean;
  timeout: number;
}

function summarizeReplacement(r: ReplacementResult, oldSerial: string): string {
  const lines = [summarize(r.record)];
  if (r.replaced) {
    lines.push(`  replaces ${oldSerial}: its certificate${r.revoked.length === 1 ? '' : 's'} ${r.revoked.join(', ') || '(none on record)'} revoked (reason replaced)`);
  } else if (r.problem) {
    lines.push(`  ${oldSerial} NOT replaced: ${r.problem.message}`);
  } else {
    lines.push(`  ${oldSerial} not replaced: its certificate stays valid`);
  }
  return lines.join('\n');
}

async function replaceCommand(opts: ReplaceCliOptions, target: DeviceTarget, radios: BleRadios): Promise<number> {
  await prepareTarget(target, radios, cliLogger(opts, 'ble'));
  return withCore(opts, (core) => replaceWith(core, opts, target), undefined, radios);
}

async function replaceWith(core: Core, opts: ReplaceCliOptions, target: DeviceTarget): Promise<number> {
  const logger = cliLogger(opts, 'replace');
  // Through the release gate, as a run is: an unreleased profile (--allow-unreleased) is a supervisor's override.
  const { profile, ...verdict } = await loadProfileFileForRun(opts.profile, core.dataDir, { requireSignature: opts.requireSignature ?? false, allowUnreleased: opts.allowUnreleased ?? false });
  const actor = await authorizeCli(core, opts, verdict.unreleased ? 'override' : 'service', verdict.unreleased ? 'replace with an unreleased profile' : 'replace');
  const abort = new AbortController();
  const onSignal = (): void => abort.abort();
  process.once('SIGINT', onSignal);
  try {
    // Refusals first, before the passphrase prompt (the core's signer asks it) and before anything is written to the
    // new unit.
    const plan = planReplacement(core.store(), opts.old);
    await checkNewUnit(target, profile, plan, { logger, timeoutMs: opts.timeout, radios: core.radios });
    auditUnreleased(core.store(), { actor: actor ?? `station:${core.station.name}`, profile, verdict, command: 'replace' });
    const result = await core.replace({
      plan,
      target,
      timeoutMs: opts.timeout,
      profile,
      ...(verdict.release ? { release: verdict.release } : {}),
      actor,
      logger: cliLogger(opts, 'provision'),
      events: progressPrinter(opts),
      signal: abort.signal,
    });
    if (opts.json) printJson({ ...result.record, replacement: { old: plan.oldSerial, replaced: result.replaced, revoked: result.revoked, ...(result.problem ? { problem: result.problem } : {}) } });
    else process.stdout.write(summarizeReplacement(result, plan.oldSerial) + '\n');
    if (result.record.outcome !== 'passed') return exitCodeFor(result.record.error?.code);
    return result.replaced ? 0 : 2;
  } finally {
    process.removeListener('SIGINT', onSignal);
  }
}

export function registerReplaceCommands(program: Command): void {
  const command = program
    .command('replace')
    .description("replace a unit: provision the new one with the old one's variables, then revoke the old one's certificate (reason replaced) and link both");
  operatorOption(addTargetOptions(command, 'serial port of the NEW unit'))
    .requiredOption('--old <serial>', 'serial of the unit being replaced (it needs a passed run in this store)')
    .requiredOption('--profile <file>', 'profile (YAML) for the new unit')
    .option('--station <name>', 'station name recorded in the run', hostname())
    .option('--require-signature', 'refuse a profile not signed by a trusted publisher key (<data-dir>/trust/*.pub.pem)')
    .option('--allow-unreleased', 'on a station that follows a release channel, use a profile that is not one of its releases (needs a supervisor; audited)')
    .option('--data-dir <dir>', 'data directory (default: FIELDLINE_DATA_DIR or the per-user app folder)')
    .option('-t, --timeout <ms>', 'per-request timeout in ms', (v) => Number(v), 3000)
    .option('--json', 'JSON lines: step events, then the run record with a `replacement` summary')
    .option('-v, --verbose', 'log to stderr')
    .addHelpText(
      'after',
      "\nExit codes: 0 replaced, 1 the new unit's run failed (rolled back; the old unit's certificate stays valid), 2 usage or environment error.\nCA passphrase: FIELDLINE_CA_PASSPHRASE or a prompt (a CA key in a PKCS#11 token: its PIN, FIELDLINE_PKCS11_PIN or a prompt).",
    )
    .action((opts: ReplaceCliOptions) => runOnTarget(opts, (target, radios) => replaceCommand(opts, target, radios)));

  program
    .command('replacements <serial>')
    .description('show what a unit replaced and what replaced it, from the store')
    .option('--data-dir <dir>', 'data directory (default: FIELDLINE_DATA_DIR or the per-user app folder)')
    .option('--json', 'JSON output')
    .action(async (serial: string, opts: OutputOptions & { dataDir?: string }) => {
      try {
        await withCore(opts, (core) => {
          const key = serial.trim().toUpperCase();
          const links = { serial: key, ...core.store().deviceLinks(key) };
          print(opts, links, () => [`${key}`, `  replaces ${links.replaces ?? '—'}`, `  replaced by ${links.replacedBy ?? '—'}`].join('\n'));
        });
      } catch (err) {
        process.exitCode = reportError(err, opts.json ?? false);
      }
    });
}
