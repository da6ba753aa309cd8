/**
 * `fieldline line kpis` and `fieldline line spc`: the line's figures over the runs in the store — units/hour,
 * yields, failures by step, cycle time per slot and per station; and statistical process control on the diagnostic
 * measurements — as JSON for a MES or a spreadsheet, or as text. Read-only: the store is opened for the query and
 * closed after, like `fieldline runs`.
 */
import { Command } from 'commander';
import { FieldlineError } from '../errors';
import type { RunRecord } from '../contract/run-record';
import { lineKpis } from '../station/kpi';
import { lineRecords, parseSince, type LineFilter } from '../station/line-records';
import { spcCharts } from '../station/spc';
import { withCore } from './core';
import { kpisText, spcText } from './line-text';
import { print, type OutputOptions } from './output';

export interface LineCliOptions extends OutputOptions {
  since?: string;
  station?: string;
  profile?: string;
  slotBy: string;
  dataDir?: string;
}

type SlotBy = 'port' | 'station';

function slotBy(value: string): SlotBy {
  if (value === 'port' || value === 'station') return value;
  throw new FieldlineError('INVALID_ARGUMENT', `--slot-by takes port or station, not "${value}"`);
}

/** A slot is a port; with `station`, a port of one station (the same port path on two stations is two slots). */
function slotKey(by: SlotBy): (r: RunRecord) => string {
  return by === 'port' ? (r) => r.device.port : (r) => `${r.station.name}:${r.device.port}`;
}

function filterOf(opts: LineCliOptions): LineFilter {
  return {
    ...(opts.since !== undefined ? { since: parseSince(opts.since) } : {}),
    ...(opts.station !== undefined ? { station: opts.station } : {}),
    ...(opts.profile !== undefined ? { profile: opts.profile } : {}),
  };
}

/** The filters as JSON (since as an ISO time) and as words for the text heading. */
function describeFilter(filter: LineFilter): { json: Record<string, string>; text: string } {
  const json: Record<string, string> = {
    ...(filter.since ? { since: filter.since.toISOString() } : {}),
    ...(filter.station !== undefined ? { station: filter.station } : {}),
    ...(filter.profile !== undefined ? { profile: filter.profile } : {}),
  };
  const parts = [
    ...(filter.since ? [`since ${filter.since.toISOString()}`] : []),
    ...(filter.station !== undefined ? [`station ${filter.station}`] : []),
    ...(filter.profile !== undefined ? [`profile ${filter.profile}`] : []),
  ];
  return { json, text: parts.length ? ` (${parts.join(', ')})` : '' };
}

/** The runs the figures are over, from the core's store (opened for this query only: no CA, no profiles). */
function records(opts: LineCliOptions, filter: LineFilter): Promise<RunRecord[]> {
  return withCore(opts, (core) => lineRecords(core.store(), filter), 'line');
}

export async function lineKpisCommand(opts: LineCliOptions): Promise<void> {
  const by = slotBy(opts.slotBy);
  const filter = filterOf(opts);
  const k = lineKpis(await records(opts, filter), { slotKey: slotKey(by) });
  const described = describeFilter(filter);
  print(opts, { filter: described.json, slotBy: by, ...k }, () => kpisText(k, described.text, by));
}

export async function lineSpcCommand(opts: LineCliOptions): Promise<void> {
  const filter = filterOf(opts);
  const runs = await records(opts, filter);
  const charts = spcCharts(runs);
  const described = describeFilter(filter);
  print(opts, { filter: described.json, runs: runs.length, charts }, () => spcText(charts, runs.length, described.text));
}

function filterOptions(command: Command): Command {
  return command
    .option('--since <time|duration>', 'runs that ended at or after an ISO time, or within a duration back from now (8h, 30m, 2d)')
    .option('--station <name>', 'runs of this station only')
    .option('--profile <name>', 'runs of this profile (its name) only')
    .option('-d, --data-dir <dir>', 'data directory (default: $FIELDLINE_DATA_DIR, else the per-user folder the desktop app uses)')
    .option('--json', 'print JSON');
}

export function registerLineCommands(program: Command): void {
  const line = program.command('line').description('the factory line’s KPIs and statistical process control, over the runs in the store');
  filterOptions(line.command('kpis').description('units/hour, first-pass and final yield, failures by step (Pareto), cycle time mean and p95 — overall, per slot, per station'))
    .option('--slot-by <port|station>', 'a slot is a port path, or a port of one station', 'port')
    .action((opts: LineCliOptions) => lineKpisCommand(opts));
  filterOptions(
    line
      .command('spc')
      .description('per numeric diagnostic: mean, moving-range σ̂ and control limits, units inside their profile limits but outside the control limits, shifts'),
  ).action((opts: LineCliOptions) => lineSpcCommand({ ...opts, slotBy: 'port' }));
}
