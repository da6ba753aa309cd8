/** `fieldline report <run-id> --html FILE`: the one-page hand-over report of a run. */
import { Command } from 'commander';
import { writeFile } from 'node:fs/promises';
import { certificateStatus, revocationsOf } from '../core/certificate-status';
import { renderRunReport } from '../provisioning/report-html';
import { findRun } from '../store/find-run';
import { withCore } from './core';
import { print, type OutputOptions } from './output';

export function registerReportCommand(program: Command): void {
  program
    .command('report <run-id>')
    .description('write the one-page report of a run (device, profile, firmware, certificate, diagnostics, outcome)')
    .requiredOption('--html <file>', 'where to write the HTML report')
    .option('--data-dir <dir>', 'data directory')
    .option('--json', 'print JSON')
    .action((id: string, opts: OutputOptions & { html: string; dataDir?: string }) =>
      withCore(opts, async (core) => {
        const record = findRun(core.store(), id);
        // Where its certificate stands now: revoked since the run (repair, a replacement) is said, with when and why.
        await writeFile(opts.html, renderRunReport(record, certificateStatus(core.store(), revocationsOf(core.dataDir), record)));
        print(opts, { run: record.id, html: opts.html }, () => `report of run ${record.id} written to ${opts.html}`);
      }),
    );
}
