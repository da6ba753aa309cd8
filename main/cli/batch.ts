/**
 * `fieldline batch`: the station orchestrator without a UI. With `--ports auto` every matching gateway that is
 * plugged in (USB, or a virtual one announced in the ports directory) is provisioned with the profile, no click;
 * with a list, those ports are. Ends after --count runs (or on SIGINT), with a summary from the line KPIs.
 * Scans (`--scan-input`: a wedge scanner typing into the terminal, a FIFO, a file) bind a serial or a batch
 * variable to the next gateway; `--require-scan` holds every gateway until its label is scanned. The station rules
 * (`--usb`, `--serial-pattern`, `--no-virtual`) say which ports are gateways. A gateway whose last run with this
 * profile passed (the store knows it by the port's serial) is left alone — "passed earlier", no run of this batch —
 * unless the batch is a rework: `--rework keep|replace` provisions them again with the profile's
 * `identity.existing` set to that mode (keep: the certificate in service is verified and kept; replace: a new one,
 * the old one revoked), and the summary counts those runs apart. `--reprovision` is `--rework replace`.
 * Exit codes: 0 all runs passed, 1 some failed, 2 usage or environment (nothing done).
 */
import { Command } from 'commander';
import { hostname } from 'node:os';
import { FieldlineError } from '../errors';
import { resolveDataDir } from '../data-dir';
import { openStationCa } from '../pki/station-ca';
import { readCaPassphrase } from '../pki/passphrase';
import type { ProvisionEvents } from '../provisioning/context';
import type { RunRecord } from '../contract/run-record';
import { checkVariables, runProvisioning } from '../provisioning/runner';
import { systemClock } from '../contract/clock';
import { openTarget } from '../device/target';
import { defaultPortsDir } from '../transport/ports-dir';
import { kpis } from '../station/kpi';
import { createOrchestrator, type Orchestrator, type Slot, type StationRules } from '../station/orchestrator';
import { createPortWatch } from '../station/port-watch';
import { previousFromStore } from '../station/previous';
import { parseSerialPattern, parseUsbIds } from '../station/rules';
import { MAX_SCAN_LENGTH } from '../station/scan';
import { openScanSource, readScanLines, type ScanSource } from '../station/scan-input';
import { describeError } from '../contract/errors';
import { openStore } from '../store/store';
import { cliLogger, printJson, reportError, type OutputOptions } from './output';
import { collectVar } from './profile';
import { loadTrustedProfile } from './provision';

/** As commander hands them over: flags that need checking are parsed in batchCommand, so a bad one exits 2. */
export interface BatchCliOptions extends OutputOptions {
  profile: string;
  ports: string;
  count?: string;
  var: Record<string, string>;
  concurrency: string;
  dataDir?: string;
  station: string;
  requireSignature?: boolean;
  baud: number;
  timeout: number;
  scanInput?: string;
  requireScan?: boolean;
  usb?: string;
  serialPattern?: string;
  /** False with --no-virtual. */
  virtual: boolean;
  /** Provision again the gateways whose last run with this profile passed: `--rework replace`. */
  reprovision?: boolean;
  /** A rework batch: units that passed are provisioned again, their identity kept or replaced. */
  rework?: string;
}

export type ReworkMode = 'keep' | 'replace';

function reworkMode(opts: Pick<BatchCliOptions, 'rework' | 'reprovision'>): ReworkMode | undefined {
  if (opts.rework === undefined) return opts.reprovision ? 'replace' : undefined;
  if (opts.rework !== 'keep' && opts.rework !== 'replace') throw new FieldlineError('INVALID_ARGUMENT', `--rework takes keep or replace, not "${opts.rework}"`);
  if (opts.reprovision && opts.rework !== 'replace') throw new FieldlineError('INVALID_ARGUMENT', '--reprovision is --rework replace; it cannot go with --rework keep');
  return opts.rework;
}

/**
 * The summary object: counts (rework runs apart from first-pass runs) plus the failed runs as {serial, step, error}.
 * Units/hour is over the batch's elapsed time, and only once it means something (main/station/kpi.ts).
 */
export function summaryJson(records: RunRecord[], elapsedMs?: number): Record<string, unknown> {
  const k = kpis(records, elapsedMs !== undefined ? { elapsedMs } : {});
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
    firstPassRuns: k.firstPassUnits,
    rework: { runs: k.rework.units, passed: k.rework.passed, failed: k.rework.failed, yield: k.rework.yield ?? null },
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
  const rework = s.rework as { runs: number; passed: number; failed: number; yield: number | null };
  if (rework.runs > 0) lines.push(`  rework: ${rework.runs} runs, ${rework.passed} passed, ${rework.failed} failed (yield ${pct(rework.yield)})`);
  for (const f of s.failuresByStep as Array<{ step: string; count: number }>) lines.push(`  failures at ${f.step}: ${f.count}`);
  for (const f of s.failedRuns as Array<{ serial: string; port: string; step: string; error: { message: string } | null }>) {
    lines.push(`  ✗ ${f.serial || f.port} at ${f.step}${f.error ? `: ${f.error.message}` : ''}`);
  }
  return lines.join('\n');
}

function positiveInt(name: string, value: string): number {
  const n = /^\d+$/.test(value.trim()) ? Number(value) : NaN;
  if (!Number.isSafeInteger(n) || n < 1) throw new FieldlineError('INVALID_ARGUMENT', `${name} must be a positive integer, not "${value}"`);
  return n;
}

/** Feeds each scanned line to the orchestrator; a refused scan is reported and the line goes on. */
function bindScans(source: ScanSource, orchestrator: Orchestrator, out: (event: Record<string, unknown>, text: string) => void): () => void {
  const refused = (err: unknown): void => {
    // Whatever a scan does, the batch goes on: a bug shows as INTERNAL on this scan, not as a crash of every run.
    const error = err instanceof FieldlineError ? describeError(err.code, err.message) : describeError('INTERNAL', String(err));
    out({ event: 'scan-error', error }, `scan refused: ${error.message}${error.hint ? `\n  fix: ${error.hint}` : ''}`);
  };
  const stop = readScanLines(source.stream, {
    line: (text) => {
      try {
        orchestrator.bindScan(text);
      } catch (err) {
        refused(err);
      }
    },
    overlong: (length) => refused(new FieldlineError('SCAN_INVALID', `a scan of ${length} characters without an Enter was dropped (at most ${MAX_SCAN_LENGTH})`)),
  });
  source.stream.on('error', (err) => out({ event: 'scan-error', error: { code: 'INTERNAL', message: `scan input: ${err.message}` } }, `scan input failed: ${err.message}`));
  return () => {
    stop();
    source.close();
  };
}

export async function batchCommand(opts: BatchCliOptions): Promise<number> {
  const dataDir = resolveDataDir(opts.dataDir);
  const auto = opts.ports.trim() === 'auto';
  const fixed = auto ? [] : opts.ports.split(',').map((p) => p.trim()).filter(Boolean);
  if (!auto && fixed.length === 0) throw new FieldlineError('INVALID_ARGUMENT', '--ports takes "auto" or a comma-separated list of port paths');
  const count = opts.count !== undefined ? positiveInt('--count', opts.count) : undefined;
  const concurrency = positiveInt('--concurrency', opts.concurrency);
  const rework = reworkMode(opts);
  if (opts.requireScan && opts.scanInput === undefined) {
    throw new FieldlineError('INVALID_ARGUMENT', '--require-scan needs --scan-input: without scans no gateway would ever start');
  }
  const rules: StationRules = {
    ...(opts.usb !== undefined ? { usb: parseUsbIds(opts.usb) } : {}),
    ...(opts.serialPattern !== undefined ? { serialPattern: parseSerialPattern(opts.serialPattern) } : {}),
    virtual: opts.virtual,
  };
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
  const portsDir = auto && opts.virtual ? defaultPortsDir() : undefined;
  const watch = createPortWatch({ usb: auto, portsDir: portsDir ?? false, paths: fixed, logger });

  const stepEvents = (port: string): ProvisionEvents => ({
    onStepStart: (step) => opts.json && printJson({ event: 'step-start', port, step }),
    onStepEnd: (s) => out({ event: 'step-end', port, step: s.name, outcome: s.outcome, ...(s.error ? { error: s.error } : {}) }, `  ${port}: ${s.outcome === 'passed' ? '✓' : '✗'} ${s.name}${s.error ? ` — ${s.error.message}` : ''}`),
  });

  const orchestrator = createOrchestrator({
    watch,
    concurrency,
    ...(count !== undefined ? { maxRuns: count } : {}),
    profile: { name: profile.profile.name, version: profile.profile.version, sha256: profile.sha256 },
    station,
    variables: opts.var,
    rules,
    requireScan: opts.requireScan ?? false,
    checkVariables: (variables) => checkVariables(profile, station, variables),
    // A rework batch provisions the units that passed before; otherwise they are left alone ("passed earlier").
    ...(rework ? {} : { previousResult: previousFromStore(store, { name: profile.profile.name, sha256: profile.sha256 }) }),
    logger,
    provision: ({ port, runId, signal, variables, expectedSerial }) =>
      runProvisioning({
        openSession: openTarget,
        clock: systemClock,
        port: port.path,
        baudRate: opts.baud,
        timeoutMs: opts.timeout,
        profile,
        signer,
        store,
        station,
        variables,
        ...(expectedSerial !== undefined ? { expectedSerial } : {}),
        ...(rework ? { identityExisting: rework } : {}),
        logger: logger.child(port.serialNumber ?? port.path),
        events: stepEvents(port.path),
        signal,
        runId,
      }),
  });

  const records: RunRecord[] = [];
  let finish!: () => void;
  const finished = new Promise<void>((resolve) => (finish = resolve));
  orchestrator.on('slot', (slot: Slot) =>
    out(
      { event: 'slot', ...slot },
      `${slot.port}: ${slot.state}${slot.previous ? ` earlier (run ${slot.runId ?? '?'}; not provisioned again)` : ''}${slot.awaitingScan ? ' (scan its label)' : slot.queued ? ' (queued)' : ''}${slot.gone ? ' (gone)' : ''}`,
    ),
  );
  orchestrator.on('scan', (scan) =>
    out(
      { event: 'scan', ...scan },
      `scan: ${scan.binding.kind === 'serial' ? `serial ${scan.binding.value}` : `${scan.binding.name}=${scan.binding.value}`} → ${scan.slot === 'next' ? 'next gateway' : scan.slot}`,
    ),
  );
  orchestrator.on('run-start', (r) => {
    const bindings = orchestrator.slots().find((s) => s.port === r.port)?.bindings;
    out(
      { event: 'run-start', ...r, ...(bindings?.serial !== undefined ? { expectedSerial: bindings.serial } : {}), ...(bindings?.variables ? { scannedVariables: bindings.variables } : {}) },
      `${r.port}: run ${r.runId} started${bindings?.serial !== undefined ? ` (label ${bindings.serial})` : ''}`,
    );
  });
  orchestrator.on('run-end', ({ port, record }) => {
    records.push(record);
    const step = record.steps.find((s) => s.outcome === 'failed')?.name;
    const existing = record.steps.find((s) => s.name === 'identity')?.evidence.existing;
    const identity = existing === 'kept' || existing === 'replaced' ? existing : undefined;
    out(
      {
        event: 'run-end',
        port,
        runId: record.id,
        serial: record.device.serial,
        outcome: record.outcome,
        rework: record.rework === true,
        ...(identity ? { identity } : {}),
        ...(record.certificate ? { certificate: record.certificate.serial } : {}),
        ...(step ? { step } : {}),
        ...(record.error ? { error: record.error } : {}),
      },
      `${port}: ${record.device.serial || '?'} ${record.outcome.toUpperCase()}${record.rework ? ' (rework)' : ''}${identity ? `, identity ${identity}` : ''}${step ? ` at ${step}` : ''}${record.error ? ` — ${record.error.message}` : ''}`,
    );
    if (count !== undefined && records.length >= count) finish();
  });
  const onSignal = (): void => finish();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  let stopScans: (() => void) | undefined;
  // The port watch's poll timer is unref'd and a fixed port or a ports directory that does not exist yet holds no
  // handle: without this, Node would find nothing to wait for and exit (code 13) while the batch is still watching.
  const keepAlive = setInterval(() => {}, 60_000);
  try {
    // Opened before the first port is watched, so a wrong --scan-input is a usage error with nothing started.
    const scanSource = opts.scanInput !== undefined ? openScanSource(opts.scanInput) : undefined;
    await orchestrator.start();
    const startedAt = Date.now();
    if (scanSource) stopScans = bindScans(scanSource, orchestrator, out);
    out(
      {
        event: 'watching',
        ports: auto ? 'auto' : fixed,
        ...(portsDir ? { portsDir } : {}),
        ...(count !== undefined ? { count } : {}),
        ...(opts.requireScan ? { requireScan: true } : {}),
        ...(rework ? { rework } : {}),
        ...(opts.scanInput !== undefined ? { scanInput: opts.scanInput } : {}),
      },
      (auto ? `watching for gateways (USB${portsDir ? ` and ${portsDir}` : ''})…` : `watching ${fixed.join(', ')}…`) +
        (opts.scanInput !== undefined ? `\nscan labels ${opts.scanInput === '-' ? 'here' : `into ${opts.scanInput}`}, one per line${opts.requireScan ? ' (each gateway waits for its label)' : ''}` : ''),
    );
    await finished;
    stopScans?.();
    await orchestrator.stop();
    const summary = summaryJson(records, Date.now() - startedAt);
    if (opts.json) printJson(summary);
    else process.stdout.write(summaryText(summary) + '\n');
    return records.every((r) => r.outcome === 'passed') ? 0 : 1;
  } finally {
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
    clearInterval(keepAlive);
    stopScans?.();
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
    .option('--count <n>', 'end after this many runs (default: until Ctrl+C)')
    .option('--var <name=value>', 'batch variable for the profile templates (repeatable)', collectVar, {})
    .option('--concurrency <n>', 'runs at once (the rest wait)', '8')
    .option('--scan-input <file|->', 'barcode scans, one per line: "-" for a wedge scanner typing here, a FIFO, or a file; SERIAL or NAME=value, bound to the next gateway')
    .option('--require-scan', 'start no gateway until a serial is scanned for it (the run checks the device reports the label\'s serial)')
    .option('--usb <vid:pid,…>', 'USB gateways are these VID[:PID] (hex); default: any USB serial port with a VID')
    .option('--serial-pattern <regex>', 'only ports whose serial number matches (USB descriptor serial or virtual gateway serial)')
    .option('--no-virtual', 'ignore virtual gateways (the simulator\'s ports directory)')
    .option('--rework <keep|replace>', 'a rework: provision again gateways whose last run with this profile passed (default: left alone, "passed earlier"), their identity kept (verified) or replaced (the old certificate revoked)')
    .option('--reprovision', 'the same as --rework replace')
    .option('--station <name>', 'station name recorded in the runs', hostname())
    .option('--require-signature', 'refuse a profile not signed by a trusted publisher key')
    .option('--data-dir <dir>', 'data directory (default: FIELDLINE_DATA_DIR or the per-user app folder)')
    .option('-b, --baud <rate>', 'baud rate', (v) => Number(v), 115200)
    .option('-t, --timeout <ms>', 'per-request timeout in ms', (v) => Number(v), 3000)
    .option('--json', 'JSON lines: slot and run events, then the summary')
    .option('-v, --verbose', 'log to stderr')
    .addHelpText(
      'after',
      '\nVirtual gateways are found in $FIELDLINE_PORTS_DIR (default <tmp>/fieldline-ports).\n' +
        'Scans: a serial binds to the next gateway to start (or to the gateway whose port reports that serial); NAME=value\n' +
        'sets a batch variable for it. A FIFO stays open across writers: mkfifo scans; --scan-input scans; echo GW1 > scans.\n' +
        'Exit codes: 0 all runs passed, 1 some failed, 2 usage or environment error.\nCA passphrase: FIELDLINE_CA_PASSPHRASE or a prompt.',
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
