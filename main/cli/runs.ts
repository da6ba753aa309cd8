/**
 * `fieldline runs list|show` (the provisioning runs kept in the data directory's store), `fieldline audit list` (who
 * did what) and `fieldline audit verify` (is the hash-chained audit log intact). Each opens the store for the command and closes it after, so a
 * desktop app using the same data directory is kept waiting for no longer than one query.
 */
import { Command } from 'commander';
import { describeError } from '../contract/errors';
import { FieldlineError } from '../errors';
import { guard } from '../shared/sqlite';
import { selectEntries } from '../store/audit';
import { findRun } from '../store/find-run';
import type { SqliteStore } from '../store/store';
import { withCore } from './core';
import { print, printJson, type OutputOptions } from './output';
import { auditEntryLine, auditText, runsTable, runText } from './runs-text';

interface StoreOptions extends OutputOptions {
  dataDir?: string;
}

interface ListOptions extends StoreOptions {
  serial?: string;
  limit: number;
}

const DEFAULT_LIMIT = 50;

function limitArg(value: string): number {
  const n = /^\d+$/.test(value.trim()) ? Number(value) : NaN;
  if (!Number.isSafeInteger(n) || n < 1) throw new FieldlineError('INVALID_ARGUMENT', `--limit must be a whole number from 1 up, not "${value}"`);
  return n;
}

/** Adds the options every store command shares. */
function storeCommand(parent: Command, nameAndArgs: string, description: string): Command {
  return parent
    .command(nameAndArgs)
    .description(description)
    .option('-d, --data-dir <dir>', 'data directory (default: $FIELDLINE_DATA_DIR, else the per-user folder the desktop app uses)')
    .option('--json', 'print JSON');
}

/** Only the store is opened: listing runs asks for no passphrase and reads no CA file. */
function withStore<T>(opts: StoreOptions, fn: (store: SqliteStore) => T): Promise<T> {
  return withCore(opts, (core) => fn(core.store()));
}

export function registerRunsCommands(program: Command): void {
  const runs = program.command('runs').description('provisioning runs recorded in the data directory');

  storeCommand(runs, 'list', 'list runs, newest first')
    .option('-s, --serial <serial>', 'only the runs of this device')
    .option('-n, --limit <n>', `at most this many runs (default ${DEFAULT_LIMIT})`, limitArg, DEFAULT_LIMIT)
    .action((opts: ListOptions) =>
      withStore(opts, (store) => {
        const list = store.listRuns({ limit: opts.limit, ...(opts.serial !== undefined ? { serial: opts.serial } : {}) });
        print(opts, list, () => runsTable(list));
      }),
    );

  storeCommand(runs, 'show <run-id>', 'show one run: device, profile, steps with outcomes and durations, diagnostics (the first characters of the id are enough)')
    .action((id: string, opts: StoreOptions) =>
      withStore(opts, (store) => {
        const run = findRun(store, id);
        print(opts, run, () => runText(run));
      }),
    );

  const audit = program.command('audit').description('the hash-chained audit log of provisioning actions');

  storeCommand(audit, 'list', 'list the newest audit entries, oldest first: time, actor (operator:NAME, station:NAME), action, subject')
    .option('-n, --limit <n>', `at most this many entries (default ${DEFAULT_LIMIT})`, limitArg, DEFAULT_LIMIT)
    .action((opts: StoreOptions & { limit: number }) =>
      withStore(opts, (store) => {
        const entries = guard(store.file, () => selectEntries(store.db, opts.limit));
        print(opts, entries, () => (entries.length === 0 ? 'no audit entries' : entries.map(auditEntryLine).join('\n')));
      }),
    );

  storeCommand(audit, 'verify', 'check that no audit entry was edited, deleted or reordered (exit 0 intact, 1 broken)')
    .action((opts: StoreOptions) =>
      withStore(opts, (store) => {
        const verdict = store.verifyAudit();
        if (verdict.ok) {
          print(opts, verdict, () => auditText(verdict));
          return;
        }
        const error = describeError('AUDIT_BROKEN', `entry ${verdict.problem?.seq ?? '?'}: ${verdict.problem?.reason ?? 'unknown'}`);
        // One line under --json: the verdict (what broke, where) with the error in the shape every command uses.
        if (opts.json) printJson({ ...verdict, error });
        else process.stdout.write(`${auditText(verdict)}\n${error.hint ? `fix: ${error.hint}\n` : ''}`);
        process.exitCode = 1;
      }),
    );
}
