/**
 * `fieldline batch`: the station orchestrator without a UI. With `--ports auto` every matching gateway that is
 * plugged in (USB, or a virtual one announced in the ports directory) is provisioned with the profile, no click;
 * with a list, those ports are. Ends after --count runs (or on SIGINT), with a summary from the line KPIs.
 * Exit codes: 0 all runs passed, 1 some failed, 2 usage or environment (nothing done).
 */
import { Command } from 'commander';
import { hostname } from 'node:os';
import { FieldlineError } from '../errors';
import { resolveDataDir } from '../data-dir';
import { openStationCa } from '../pki/station-ca';
import { readCaPassphrase } from '../pki/passphrase';
import type { ProvisionEvents } from '../provisioning/context';
import type { RunRecord } from '../provisioning/record';
import { checkVariables, runProvisioning } from '../provisioning/runner';
import { defaultPortsDir } from '../simulator/runtime/ports-dir';
import { kpis } from '../station/kpi';
import { createOrchestrator, type Slot } from '../station/orchestrator';
import { createPortWatch } from '../station/port-watch';
import { openStore } from '../store/store';
import { cliLogger, printJson, reportError, type OutputOptions } from './output';
import { collectVar } from './profile';
import { loadTrustedProfile } from './provision';

export interface BatchCliOptions extends OutputOptions {
  profile: string;
  ports: string;
  count?: number;
  var: Record<string, string>;
  concurrency: number;
  dataDir?: string;
  station: string;
  requireSignature?: boolean;
  baud: number;
  timeout: number;
}

/** The summary object: counts plus the failed runs as {serial, step, error}. */
export function summaryJson(records: RunRecord[]): Record<string, unknown> {
  const k = kpis(records);
  const failedRuns = records
    .filter((r) => r.outcome !== 'passed' && r.outcome !== 'running')
    .map((r) => ({ serial: r.device.serial, port: r.device.port, outcome: r.outcome, step: r.steps.find((s) => s.outcome === 'failed')?.name ?? 'none', error: r.error ?? null }));
  return {
    event: 'summary',
    runs: k.units,
    passed: k.passed,
    failed: failedRuns.length,
    unitsPerHour: k.unitsPerHour ?? null,
    firstPassYield: k.firstPassYield ?? null,
    cycleTimeMeanMs: k.cycleTimeMeanMs ?? null,
    failuresByStep: k.failuresByStep.map((f) => ({ step: f.step, count: f.count })),
    failedRuns,
  };
}

function summaryText(s: Record<string, unknown>): string {
  const pct = (v: unknown): string => (typeof v === 'number' ? `${(v * 100).toFixed(1)} %` : '—');
  const lines = [
    `batch: ${String(s.runs)} runs, ${String(s.passed)} passed, ${String(s.failed)} failed`,
    `  units/hour ${typeof s.unitsPerHour === 'number' ? s.unitsPerHour.toFixed(1) : '—'}, first-pass yield ${pct(s.firstPassYield)}`,
  ];
  for (const f of s.failuresByStep as Array<{ step: string; count: number }>) lines.push(`  failures at ${f.step}: ${f.count}`);
  for (const f of s.failedRuns as Array<{ serial: string; port: string; step: string; error: { message: string } | null }>) {
    lines.push(`  ✗ ${f.serial || f.port} at ${f.step}${f.error ? `: ${f.error.message}` : ''}`);
  }
  return lines.join('\n');
}

function positiveInt(name: string) {
  return (value: string): number => {
    const n = /^\d+$/.test(value.trim()) ? Number(value) : NaN;
    if (!Number.isSafeInteger(n) || n < 1) throw new FieldlineError('INVALID_ARGUMENT', `${name} must be a positive integer, not "${value}"`);
    return n;
  };
}

export async function batchCommand(opts: BatchCliOptions): Promise<number> {
  const dataDir = resolveDataDir(opts.dataDir);
  const auto = opts.ports.trim() === 'auto';
  const fixed = auto ? [] : opts.ports.split(',').map((p) => p.trim()).filter(Boolean);
  if (!auto && fixed.length === 0) throw new FieldlineError('INVALID_ARGUMENT', '--ports takes "auto" or a comma-separated list of port paths');
  const profile = await loadTrustedProfile(opts.profile, dataDir, opts.requireSignature ?? false);
  const station = { name: opts.station };
  checkVariables(profile, station, opts.var);
  const passphrase = await readCaPassphrase({ confirm: false });
  const signer = await openStationCa(dataDir, passphrase);
  const store = openStore(dataDir);
  const logger = cliLogger(opts, 'batch');
  const out = (event: Record<string, unknown>, text: string): void => {
    if (opts.json) printJson(event);
    else process.stderr.write(text + '\n');
  };
  const portsDir = auto ? defaultPortsDir() : undefined;
  const watch = createPortWatch({ usb: auto, portsDir: portsDir ?? false, paths: fixed, logger });

  const stepEvents = (port: string): ProvisionEvents => ({
    onStepStart: (step) => opts.json && printJson({ event: 'step-start', port, step }),
    onStepEnd: (s) => out({ event: 'step-end', port, step: s.name, outcome: s.outcome, ...(s.error ? { error: s.error } : {}) }, `  ${port}: ${s.outcome === 'passed' ? '✓' : '✗'} ${s.name}${s.error ? ` — ${s.error.message}` : ''}`),
  });

  const orchestrator = createOrchestrator({
    watch,
    concurrency: opts.concurrency,
    ...(opts.count !== undefined ? { maxRuns: opts.count } : {}),
    profile: { name: profile.profile.name, version: profile.profile.version, sha256: profile.sha256 },
    station,
    variables: opts.var,
    logger,
    provision: ({ port, runId, signal }) =>
      runProvisioning({
        port: port.path,
        baudRate: opts.baud,
        timeoutMs: opts.timeout,
        profile,
        signer,
        store,
        station,
        variables: opts.var,
        logger: logger.child(port.serialNumber ?? port.path),
        events: stepEvents(port.path),
        signal,
        runId,
      }),
  });

  const records: RunRecord[] = [];
  let finish!: () => void;
  const finished = new Promise<void>((resolve) => (finish = resolve));
  orchestrator.on('slot', (slot: Slot) => out({ event: 'slot', ...slot }, `${slot.port}: ${slot.state}${slot.queued ? ' (queued)' : ''}${slot.gone ? ' (gone)' : ''}`));
  orchestrator.on('run-start', (r) => out({ event: 'run-start', ...r }, `${r.port}: run ${r.runId} started`));
  orchestrator.on('run-end', ({ port, record }) => {
    records.push(record);
    const step = record.steps.find((s) => s.outcome === 'failed')?.name;
    out(
      { event: 'run-end', port, runId: record.id, serial: record.device.serial, outcome: record.outcome, ...(step ? { step } : {}), ...(record.error ? { error: record.error } : {}) },
      `${port}: ${record.device.serial || '?'} ${record.outcome.toUpperCase()}${step ? ` at ${step}` : ''}${record.error ? ` — ${record.error.message}` : ''}`,
    );
    if (opts.count !== undefined && records.length >= opts.count) finish();
  });
  const onSignal = (): void => finish();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    await orchestrator.start();
    out({ event: 'watching', ports: auto ? 'auto' : fixed, ...(portsDir ? { portsDir } : {}), ...(opts.count !== undefined ? { count: opts.count } : {}) }, auto ? `watching for gateways (USB and ${portsDir})…` : `watching ${fixed.join(', ')}…`);
    await finished;
    await orchestrator.stop();
    const summary = summaryJson(records);
    if (opts.json) printJson(summary);
    else process.stdout.write(summaryText(summary) + '\n');
    return records.every((r) => r.outcome === 'passed') ? 0 : 1;
  } finally {
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
    await orchestrator.stop().catch(() => {});
    store.close();
  }
}

export function registerBatchCommand(program: Command): void {
  program
    .command('batch')
    .description('provision every gateway plugged in (zero-touch), several at once, and summarize the batch')
    .requiredOption('--profile <file>', 'profile (YAML)')
    .option('--ports <auto|P1,P2…>', '"auto": USB ports and virtual gateways as they appear; or a list of port paths', 'auto')
    .option('--count <n>', 'end after this many runs (default: until Ctrl+C)', positiveInt('--count'))
    .option('--var <name=value>', 'batch variable for the profile templates (repeatable)', collectVar, {})
    .option('--concurrency <n>', 'runs at once (the rest wait)', positiveInt('--concurrency'), 8)
    .option('--station <name>', 'station name recorded in the runs', hostname())
    .option('--require-signature', 'refuse a profile not signed by a trusted publisher key')
    .option('--data-dir <dir>', 'data directory (default: FIELDLINE_DATA_DIR or the per-user app folder)')
    .option('-b, --baud <rate>', 'baud rate', (v) => Number(v), 115200)
    .option('-t, --timeout <ms>', 'per-request timeout in ms', (v) => Number(v), 3000)
    .option('--json', 'JSON lines: slot and run events, then the summary')
    .option('-v, --verbose', 'log to stderr')
    .addHelpText(
      'after',
      '\nVirtual gateways are found in $FIELDLINE_PORTS_DIR (default <tmp>/fieldline-ports).\nExit codes: 0 all runs passed, 1 some failed, 2 usage or environment error.\nCA passphrase: FIELDLINE_CA_PASSPHRASE or a prompt.',
    )
    .action(async (opts: BatchCliOptions) => {
      try {
        process.exitCode = await batchCommand(opts);
      } catch (err) {
        const code = reportError(err, opts.json ?? false);
        process.exitCode = code === 1 ? 2 : code;
      }
    });
}
