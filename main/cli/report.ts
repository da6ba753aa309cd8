/** `fieldline report <run-id> --html FILE`: the one-page hand-over report of a run. */
import { Command } from 'commander';
import { writeFile } from 'node:fs/promises';
import { resolveDataDir } from '../data-dir';
import { renderRunReport } from '../provisioning/report-html';
import { openStore } from '../store/store';
import { findRun } from '../store/find-run';
import { print, type OutputOptions } from './output';

export function registerReportCommand(program: Command): void {
  program
    .command('report <run-id>')
    .description('write the one-page report of a run (device, profile, firmware, certificate, diagnostics, outcome)')
    .requiredOption('--html <file>', 'where to write the HTML report')
    .option('--data-dir <dir>', 'data directory')
    .option('--json', 'print JSON')
    .action(async (id: string, opts: OutputOptions & { html: string; dataDir?: string }) => {
      const store = openStore(resolveDataDir(opts.dataDir));
      try {
        const record = findRun(store, id);
        await writeFile(opts.html, renderRunReport(record));
        print(opts, { run: record.id, html: opts.html }, () => `report of run ${record.id} written to ${opts.html}`);
      } finally {
        store.close();
      }
    });
}
