/**
 * `fieldline repair`: puts right what a killed or crashed run left in the data directory — a run still marked
 * `running` whose process is gone, a certificate issued for a run that never passed — by revoking such certificates
 * and marking those runs interrupted (main/provisioning/repair.ts). The devices themselves are put back by their next
 * provisioning run. Exit 0 (also when there was nothing to do), 2 when the store or the CA cannot be opened.
 */
import { Command } from 'commander';
import type { RepairReport } from '../provisioning/repair';
import { withCore } from './core';
import { authorizeCli, operatorOption, type OperatorCliOptions } from './operator-sign-in';
import { print, reportError, type OutputOptions } from './output';

interface RepairCliOptions extends OutputOptions, OperatorCliOptions {
  dataDir?: string;
}

function describe(report: RepairReport): string {
  if (report.repaired.length === 0 && report.live.length === 0) return 'nothing to repair: every run finished and every certificate issued is accounted for';
  const lines = report.repaired.map(
    (r) =>
      `run ${r.id} (${r.serial}): ${r.was} → ${r.now}` +
      (r.certificate ? `; certificate ${r.certificate.serial} ${r.certificate.revoked === 'now' ? 'revoked' : 'was already revoked'}` : ''),
  );
  for (const l of report.live) lines.push(`run ${l.id}: still running in process ${l.pid}, left alone`);
  return lines.join('\n');
}

export function registerRepairCommand(program: Command): void {
  operatorOption(program.command('repair'))
    .description('revoke certificates of runs that never finished (a killed process, a crash) and mark those runs interrupted')
    .option('--data-dir <dir>', 'data directory (default: FIELDLINE_DATA_DIR or the per-user app folder)')
    .option('--json', 'print {"repaired":[…],"live":[…]}')
    .addHelpText(
      'after',
      '\nEvery certificate is recorded in the store before it is sent to a device, so after a kill at any moment this finds it.\n' +
        'Runs still under way in another process are left alone. Devices are put back by their next provisioning run.\n' +
        'The CA passphrase (FIELDLINE_CA_PASSPHRASE or a prompt) is asked for only when a certificate must be revoked.\n' +
        'Exit codes: 0 done (or nothing to do), 2 the store or the CA cannot be opened.',
    )
    .action(async (opts: RepairCliOptions) => {
      try {
        // The passphrase is asked for by the core's signer, so only when a certificate must be revoked.
        const report = await withCore(opts, async (core) => core.repair((await authorizeCli(core, opts, 'override', 'repair')) ?? 'cli:repair'));
        print(opts, report, () => describe(report));
      } catch (err) {
        const code = reportError(err, opts.json ?? false);
        process.exitCode = code === 1 ? 2 : code;
      }
    });
}
