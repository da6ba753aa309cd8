/**
 * `fieldline batch`: the factory line without a UI — the same line service as the app's Station screen
 * (main/core/line.ts, on the core's store, CA and runner through main/core/line-headless.ts), with a text/JSON front
 * end. With `--ports auto` every matching gateway that is plugged in (USB, or a virtual one announced in the ports
 * directory) is provisioned with the profile, no click; with a list, those ports are. Ends after --count runs (or on
 * SIGINT), with a summary from the line KPIs. Scans (`--scan-input`: a wedge scanner typing into the terminal, a
 * FIFO, a file) bind a serial or a batch variable to the next gateway; `--require-scan` holds every gateway until its
 * label is scanned. The station rules (`--usb`, `--serial-pattern`, `--no-virtual`) say which ports are gateways. A
 * gateway whose last run with this profile passed (the store knows it by the port's serial) is left alone — "passed
 * earlier", no run of this batch — unless the batch is a rework: `--rework keep|replace` provisions them again with
 * the profile's `identity.existing` set to that mode (keep: the certificate in service is verified and kept;
 * replace: a new one, the old one revoked), and the summary counts those runs apart. `--reprovision` is
 * `--rework replace`. When the station has a label printer configured, each passing unit's label is printed.
 * This file parses the flags, renders the line's events (main/cli/batch-render.ts) and decides the exit code:
 * 0 all runs passed, 1 some failed, 2 usage or environment (nothing done).
 */
import { Command } from 'commander';
import { hostname } from 'node:os';
import type { LineService } from '../core/line';
import { openHeadlessLine, type HeadlessLine } from '../core/line-headless';
import type { RunRecord } from '../contract/run-record';
import { describeError } from '../contract/errors';
import { runAction, runPermission } from '../contract/operators';
import { FieldlineError } from '../errors';
import { checkVariables } from '../provisioning/runner';
import type { StationRules } from '../station/orchestrator';
import { parseSerialPattern, parseUsbIds } from '../station/rules';
import { MAX_SCAN_LENGTH } from '../station/scan';
import { openScanSource, readScanLines, type ScanSource } from '../station/scan-input';
import { defaultPortsDir } from '../transport/ports-dir';
import { renderLineEvent, summaryJson, summaryText } from './batch-render';
import { cliDataDir, openCliCore } from './core';
import { authorizeCli, operatorOption, type OperatorCliOptions } from './operator-sign-in';
import { cliLogger, printJson, reportError, type OutputOptions } from './output';
import { collectVar } from './profile';
import { auditUnreleased, loadProfileFileForRun } from '../core/release-gate';

/** As commander hands them over: flags that need checking are parsed in batchCommand, so a bad one exits 2. */
export interface BatchCliOptions extends OutputOptions, OperatorCliOptions {
  profile: string;
  ports: string;
  count?: string;
  var: Record<string, string>;
  concurrency: string;
  dataDir?: string;
  station: string;
  requireSignature?: boolean;
  allowUnreleased?: boolean;
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

function positiveInt(name: string, value: string): number {
  const n = /^\d+$/.test(value.trim()) ? Number(value) : NaN;
  if (!Number.isSafeInteger(n) || n < 1) throw new FieldlineError('INVALID_ARGUMENT', `${name} must be a positive integer, not "${value}"`);
  return n;
}

/** Feeds each scanned line to the line; a refused scan is reported and the line goes on. */
function bindScans(source: ScanSource, line: LineService, out: (event: Record<string, unknown>, text: string) => void): () => void {
  const refused = (err: unknown): void => {
    // Whatever a scan does, the batch goes on: a bug shows as INTERNAL on this scan, not as a crash of every run.
    const error = err instanceof FieldlineError ? describeError(err.code, err.message) : describeError('INTERNAL', String(err));
    out({ event: 'scan-error', error }, `scan refused: ${error.message}${error.hint ? `\n  fix: ${error.hint}` : ''}`);
  };
  const stop = readScanLines(source.stream, {
    line: (text) => {
      try {
        line.scan(text);
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
  const dataDir = cliDataDir(opts.dataDir);
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
  const requireSignature = opts.requireSignature ?? false;
  // On a station that follows a release channel, only its releases (or, with --allow-unreleased, any: audited below).
  const { profile, trusted, release, unreleased } = await loadProfileFileForRun(opts.profile, dataDir, { requireSignature, allowUnreleased: opts.allowUnreleased ?? false });
  const station = { name: opts.station };
  checkVariables(profile, station, opts.var);
  const logger = cliLogger(opts, 'batch');
  const core = openCliCore({ ...opts, dataDir }, 'batch');
  const out = (event: Record<string, unknown>, text: string): void => {
    if (opts.json) printJson(event);
    else process.stderr.write(text + '\n');
  };
  const portsDir = auto && opts.virtual ? defaultPortsDir() : undefined;
  const records: RunRecord[] = [];
  let finish!: () => void;
  const finished = new Promise<void>((resolve) => (finish = resolve));
  const onSignal = (): void => finish();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  let stopScans: (() => void) | undefined;
  // The port watch's poll timer is unref'd and a fixed port or a ports directory that does not exist yet holds no
  // handle: without this, Node would find nothing to wait for and exit (code 13) while the batch is still watching.
  const keepAlive = setInterval(() => {}, 60_000);
  let headless: HeadlessLine | undefined;
  let scanSource: ScanSource | undefined;
  try {
    // Who asks, then the passphrase, before anything is watched: a refusal or a wrong one is a usage error with nothing
    // started.
    const run = { rework: rework !== undefined, trustedProfile: trusted && unreleased === undefined };
    const actor = await authorizeCli(core, opts, runPermission(run), runAction('batch', run));
    await core.signer();
    auditUnreleased(core.store(), { actor: actor ?? `station:${station.name}`, profile, verdict: { unreleased }, command: 'batch' });
    headless = await openHeadlessLine(core, {
      loadProfile: (path, gate) => loadProfileFileForRun(path, dataDir, { requireSignature, ...gate }),
      logger,
      baudRate: opts.baud,
      timeoutMs: opts.timeout,
    });
    const { line } = headless;
    line.subscribe((event) => {
      const { json, text } = renderLineEvent(event);
      if (opts.json && json) printJson(json);
      else if (!opts.json && text !== undefined) process.stderr.write(text + '\n');
      if (event.type !== 'run-end') return;
      records.push(event.record);
      if (count !== undefined && records.length >= count) finish();
    });
    // Opened before the first port is watched, so a wrong --scan-input is a usage error with nothing started.
    scanSource = opts.scanInput !== undefined ? openScanSource(opts.scanInput) : undefined;
    await line.start({
      profilePath: profile.path,
      profile,
      ...(release ? { release } : {}),
      concurrency,
      variables: opts.var,
      requireScan: opts.requireScan ?? false,
      rework,
      ports: { usb: auto, portsDir: portsDir ?? false, paths: fixed },
      rules,
      maxRuns: count,
      actor,
    });
    const startedAt = Date.now();
    if (scanSource) stopScans = bindScans(scanSource, line, out);
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
    await line.stop();
    const summary = summaryJson(records, Date.now() - startedAt);
    if (opts.json) printJson(summary);
    else process.stdout.write(summaryText(summary) + '\n');
    return records.every((r) => r.outcome === 'passed') ? 0 : 1;
  } finally {
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
    clearInterval(keepAlive);
    // Scans bound to the line stop with it; a source opened for a line that never started is closed here.
    if (stopScans) stopScans();
    else scanSource?.close();
    await headless?.close().catch(() => {});
    await core.close();
  }
}

export function registerBatchCommand(program: Command): void {
  operatorOption(program.command('batch'))
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
    .option('--allow-unreleased', 'on a station that follows a release channel, use a profile that is not one of its releases (needs a supervisor; audited)')
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
        'Labels: when this station has a label printer set (the app\'s Settings), each passing unit\'s label is printed.\n' +
        'Exit codes: 0 all runs passed, 1 some failed, 2 usage or environment error.\nCA passphrase: FIELDLINE_CA_PASSPHRASE or a prompt (a CA key in a PKCS#11 token: its PIN, FIELDLINE_PKCS11_PIN or a prompt).',
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
