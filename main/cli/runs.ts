/**
 * `fieldline runs list|show` (the provisioning runs kept in the data directory's store), `fieldline audit list` (who
 * did what) and `fieldline audit verify` (is the hash-chained audit log intact). Each opens the store for the command and closes it after, so a
 * desktop app using the same data directory is kept waiting for no longer than one query.
 */
import { Command } from 'commander';
import { describeError } from '../contract/errors';
import { runOutcomeSchema } from '../contract/run-record';
import { dayStart, RunFilterSchema, runsCsv, type RunFilter } from '../contract/runs-filter';
import { FieldlineError } from '../errors';
import { guard } from '../shared/sqlite';
import { selectEntries } from '../store/audit';
import { findRun } from '../store/find-run';
import { listRunsOptions } from '../store/run-filter';
import type { SqliteStore } from '../store/store';
import { withCore } from './core';
import { print, printJson, type OutputOptions } from './output';
import { auditEntryLine, auditText, runsTable, runText } from './runs-text';

interface StoreOptions extends OutputOptions {
  dataDir?: string;
}

interface ListOptions extends StoreOptions {
  serial?: string;
  serialPrefix?: string;
  outcome?: string;
  profile?: string;
  from?: string;
  to?: string;
  csv?: boolean;
  limit: number;
}

const DEFAULT_LIMIT = 50;

function limitArg(value: string): number {
  const n = /^\d+$/.test(value.trim()) ? Number(value) : NaN;
  if (!Number.isSafeInteger(n) || n < 1) throw new FieldlineError('INVALID_ARGUMENT', `--limit must be a whole number from 1 up, not "${value}"`);
  return n;
}

/** A day (YYYY-MM-DD, local) as the instant its range starts at — the day after's for `--to` — or an ISO instant as given. */
function rangeBound(option: string, value: string, end: boolean): string {
  const day = dayStart(value, end ? 1 : 0);
  if (day !== undefined) return day;
  if (/^\d{4}-\d{2}-\d{2}T/.test(value) && !Number.isNaN(Date.parse(value))) return value;
  throw new FieldlineError('INVALID_ARGUMENT', `${option} takes a day (YYYY-MM-DD) or an ISO 8601 time, not "${value}"`);
}

/** The options as the contract's run filter, checked by the same schema as the Runs screen's (bounded, no control characters). */
function runFilterOf(opts: ListOptions): RunFilter {
  const parsed = RunFilterSchema.safeParse({
    ...(opts.serial !== undefined ? { serial: opts.serial } : {}),
    ...(opts.serialPrefix !== undefined ? { serialPrefix: opts.serialPrefix } : {}),
    ...(opts.outcome !== undefined ? { outcome: opts.outcome } : {}),
    ...(opts.profile !== undefined ? { profile: opts.profile } : {}),
    ...(opts.from !== undefined ? { from: rangeBound('--from', opts.from, false) } : {}),
    ...(opts.to !== undefined ? { to: rangeBound('--to', opts.to, true) } : {}),
  });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const option = issue?.path[0] === 'serialPrefix' ? 'serial-prefix' : String(issue?.path[0] ?? 'filter');
    throw new FieldlineError('INVALID_ARGUMENT', `--${option}: ${issue?.message ?? 'not a valid filter'}`);
  }
  return parsed.data;
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

  storeCommand(runs, 'list', 'list runs, newest first; filtered as on the Runs screen, and as CSV for a spreadsheet')
    .option('-s, --serial <serial>', 'only the runs of this device')
    .option('--serial-prefix <text>', 'only devices whose serial starts with this')
    .option('--outcome <outcome>', `only runs with this outcome (${runOutcomeSchema.options.join(', ')})`)
    .option('--profile <name>', 'only runs of this profile (its name)')
    .option('--from <day>', 'only runs started on or after this day (YYYY-MM-DD, local time) or instant (ISO 8601)')
    .option('--to <day>', 'only runs started on or before this day (YYYY-MM-DD, the whole day) or before this instant (ISO 8601)')
    .option('--csv', 'print CSV (RFC 4180; cells that start with = + - @ are prefixed with an apostrophe)')
    .option('-n, --limit <n>', `at most this many runs (default ${DEFAULT_LIMIT})`, limitArg, DEFAULT_LIMIT)
    .action((opts: ListOptions) =>
      withStore(opts, (store) => {
        if (opts.csv && opts.json) throw new FieldlineError('INVALID_ARGUMENT', 'give --csv or --json, not both');
        const list = store.listRuns({ ...listRunsOptions(runFilterOf(opts)), limit: opts.limit });
        if (opts.csv) process.stdout.write(runsCsv(list));
        else print(opts, list, () => runsTable(list));
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
