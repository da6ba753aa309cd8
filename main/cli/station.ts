/**
 * `fieldline station`: station web mode — the UI in a browser, served with the contract over a WebSocket from
 * this machine (loopback unless --host says otherwise, and then only with a token). Serves until SIGINT, SIGTERM
 * or SIGHUP, then cancels the runs under way (they roll back) and stops. `--demo` brings its own virtual gateways,
 * registry and throwaway data directory (station-demo.ts).
 *
 * The token (station-token.ts) comes from FIELDLINE_STATION_TOKEN, --token-file or --token-stdin, never from what
 * it prints: the URL it prints carries a single-use login ticket that is dead once used or after a minute.
 */
import { Command } from 'commander';
import { createApp } from '../app';
import { resolveDataDir } from '../data-dir';
import { FieldlineError } from '../errors';
import { createLogger, type Logger, type LogLevel } from '../log';
import { DEFAULT_PORT, startStationServer } from '../server/station-server';
import { isLoopbackHost } from '../server/hosts';
import { printJson, reportError, type OutputOptions } from './output';
import { stationToken } from './station-token';
import { ensureRendererBuilt } from './renderer-build';
import { startDemo, type Demo } from './station-demo';
import { PORTS_DIR_ENV } from '../transport/ports-dir';

/** `--demo`'s Bluetooth gateways, found with "Scan for Bluetooth gateways" on the Devices screen. */
const DEMO_BLE_GATEWAYS = 2;

interface StationOptions extends OutputOptions {
  port: number;
  host: string;
  token?: string;
  tokenFile?: string;
  tokenStdin?: boolean;
  dataDir?: string;
  device: string[];
  demo?: boolean;
}

const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

function portArg(value: string): number {
  const n = /^\d+$/.test(value) ? Number(value) : NaN;
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new FieldlineError('INVALID_ARGUMENT', `--port must be 0-65535, not "${value}"`);
  return n;
}

/** A long-running server must show warnings without -v (a CA that would not unlock, a port that vanished). */
function stationLogger(verbose: boolean): Logger {
  const min: LogLevel = verbose ? 'debug' : 'warn';
  return createLogger('station', (r) => process.stderr.write(`${r.level} ${r.scope}: ${r.message}${r.fields ? ' ' + JSON.stringify(r.fields) : ''}\n`), min);
}

function untilStopped(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const onSignal = (signal: NodeJS.Signals): void => {
      for (const sig of STOP_SIGNALS) {
        process.removeListener(sig, onSignal);
        // A second signal while stopping means "now": runs may not finish rolling back.
        process.once(sig, () => process.exit(130));
      }
      resolve(signal);
    };
    for (const sig of STOP_SIGNALS) process.on(sig, onSignal);
  });
}

async function runStation(opts: StationOptions): Promise<void> {
  const logger = stationLogger(opts.verbose ?? false);
  const token = await stationToken(opts, process.env, (line) => process.stderr.write(`fieldline: warning: ${line}\n`));
  if (opts.demo && opts.dataDir) throw new FieldlineError('INVALID_ARGUMENT', '--demo uses a temporary data directory of its own; leave out --data-dir');
  if (!isLoopbackHost(opts.host) && !token) {
    throw new FieldlineError(
      'INVALID_ARGUMENT',
      `--host ${opts.host} lets other machines connect: give a token they must present (FIELDLINE_STATION_TOKEN, --token-file or --token-stdin)`,
    );
  }
  const stopped = untilStopped();
  const staticDir = await ensureRendererBuilt((line) => process.stderr.write(`fieldline: ${line}\n`));

  let demo: Demo | undefined;
  const cleanups: Array<() => Promise<void>> = [];
  try {
    if (opts.demo) {
      demo = await startDemo(logger, { ble: DEMO_BLE_GATEWAYS });
      cleanups.unshift(demo.stop);
    }
    const dataDir = demo?.dataDir ?? resolveDataDir(opts.dataDir);
    const devicesPortsDir = demo?.portsDir ?? (process.env[PORTS_DIR_ENV]?.trim() || undefined);
    const app = await createApp({
      dataDir,
      logger,
      extraPorts: [...opts.device, ...(demo?.gateways.map((g) => g.port) ?? [])],
      // The Devices list reads the demo's ports directory (gateways it plugs in later), or the one set explicitly.
      ...(devicesPortsDir ? { devicesPortsDir } : {}),
      ...(demo ? { caPassphrase: demo.caPassphrase, stationName: 'demo-station', sync: { backoff: { capMs: 5000 }, pollMs: 2000 }, line: { portsDir: demo.portsDir } } : {}),
      // The demo's Bluetooth gateways are virtual: its app scans them unless Settings picks this machine's adapter.
      ...(demo?.ble ? { ble: { adapter: 'virtual' as const, socketPath: demo.ble.socketPath } } : {}),
    });
    cleanups.unshift(() => app.close());
    const server = await startStationServer({ app, port: opts.port, host: opts.host, staticDir, logger, ...(token ? { token } : {}) });
    cleanups.unshift(() => server.close());
    // With a token: a single-use ticket in the fragment (browsers never send it to a server), never the token.
    const openUrl = server.loginUrl();

    if (opts.json) {
      printJson({ url: server.url, openUrl, dataDir, ...(demo ? { demo: { gateways: demo.gateways, registry: demo.registryUrl, ...(demo.ble ? { ble: demo.ble.gateways } : {}) } } : {}) });
    } else {
      const lines = [`Fieldline station: open ${openUrl} in a browser (Ctrl+C stops).`];
      if (token) lines.push(`  This link works once, within a minute; later: ${server.url}#token=<the station token>`);
      lines.push(`  data directory ${dataDir}`);
      if (demo) {
        lines.push(`  demo: ${demo.gateways.length} virtual gateways (the last one fails its selftest), registry ${demo.registryUrl}`);
        for (const g of demo.gateways) lines.push(`    ${g.serial}  ${g.port}`);
        if (demo.ble) {
          lines.push(`  and ${demo.ble.gateways.length} virtual Bluetooth gateways (Devices → Scan for Bluetooth gateways):`);
          for (const g of demo.ble.gateways) lines.push(`    ${g.serial}  ${g.name}  ${g.address}`);
        }
      }
      process.stdout.write(lines.join('\n') + '\n');
    }
    const signal = await stopped;
    logger.info('stopping', { signal });
  } finally {
    for (const cleanup of cleanups) await cleanup().catch(() => {});
  }
}

export function registerStationCommand(program: Command): void {
  program
    .command('station')
    .description('station web mode: serve the UI and its API to a browser on this machine (or, with a token, the network)')
    .option('--port <port>', `port to listen on (0 = any free port)`, portArg, DEFAULT_PORT)
    .option('--host <address>', 'address to listen on; anything but loopback needs a token', '127.0.0.1')
    .option('--token-file <file>', 'read the token browsers must present from this file (default: $FIELDLINE_STATION_TOKEN); required beyond loopback')
    .option('--token-stdin', 'read that token from stdin')
    .option('--token <token>', 'that token on the command line: other users see it in the process list (prefer the above)')
    .option('--data-dir <dir>', 'data directory (default FIELDLINE_DATA_DIR or the per-user folder the desktop app uses)')
    .option('--device <path>', 'a serial port discovery cannot list, e.g. a UART or a virtual gateway pty (repeatable)', (v: string, prev: string[]) => [...prev, v], [])
    .option('--demo', `try it with no hardware: 4 virtual gateways, ${DEMO_BLE_GATEWAYS} virtual Bluetooth gateways, a reference registry and a throwaway data directory with a development CA`)
    .option('--json', 'print {"url","openUrl","dataDir","demo"?} as one JSON line when ready (openUrl: a login link that works once, within a minute)')
    .option('-v, --verbose', 'log everything to stderr (default: warnings and errors)')
    .addHelpText(
      'after',
      '\nThe CA passphrase comes from FIELDLINE_CA_PASSPHRASE, or is typed in Settings; a CA key in a PKCS#11 token\n' +
        'is opened with its PIN from FIELDLINE_PKCS11_PIN (or typed in Settings instead of the passphrase).\n' +
        'With a token, the printed link logs one browser tab in once; other browsers open the URL with #token=<the token>.\n' +
        'Example: npx fieldline station --demo',
    )
    .action(async (opts: StationOptions) => {
      try {
        await runStation(opts);
        process.exitCode = 0;
      } catch (err) {
        process.exitCode = reportError(err, opts.json ?? false);
      }
    });
}
