/**
 * Virtual gateways in a separate process, as DESIGN.md asks ("virtual gateways run in a separate process"):
 * spawns `node bin/fieldline.js sim --json …` from the repository root and resolves once every gateway's JSON
 * line has arrived. The one helper every test and benchmark uses, so none of them rewrites it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface SpawnSimulatorArgs {
  count: number;
  /** Default: the CLI's (115200); 0 = unthrottled. */
  baud?: number;
  bufSize?: number;
  bufCount?: number;
  /** Fault specs, one --fault each. */
  faults?: string[];
  stateDir?: string;
  /** Further CLI arguments, e.g. ['--delay', 'reboot=0', '--seed', '7']. */
  extra?: string[];
  /** How long to wait for the gateways to come up; default 20 s. */
  timeoutMs?: number;
  /** Added to this process's environment (e.g. FIELDLINE_PORTS_DIR). */
  env?: Record<string, string>;
  /**
   * BLE gateways (`sim --ble`) instead of serial ones. The socket defaults to a fresh path per call, so parallel
   * tests never share one; it is returned as `socketPath`.
   */
  ble?: { socketPath?: string; mtu?: number; connIntervalMs?: number; packetsPerEvent?: number; reassembly?: boolean };
}

export interface SpawnedGateway {
  serial: string;
  /** The path the app opens; for a BLE gateway its address (what `--ble` takes). */
  port: string;
  transport: 'serial' | 'ble';
  /** BLE: the advertised name (FL-…) and the address. */
  name?: string;
  address?: string;
}

export interface SpawnedSimulator {
  gateways: SpawnedGateway[];
  /** The child process, for tests that want its pid or to watch it exit. */
  child: ChildProcess;
  /** `sim --ble`: the socket the virtual binding connects to (FIELDLINE_BLE_SOCKET). */
  socketPath?: string;
  /** SIGTERM, then SIGKILL after 5 s; resolves with the exit code (null when killed by a signal). */
  stop(): Promise<number | null>;
}

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const STOP_GRACE_MS = 5000;
let bleSockets = 0;

export function spawnSimulator(args: SpawnSimulatorArgs): Promise<SpawnedSimulator> {
  const argv = ['bin/fieldline.js', 'sim', '--json', '--count', String(args.count)];
  if (args.baud !== undefined) argv.push('--baud', String(args.baud));
  if (args.bufSize !== undefined) argv.push('--buf-size', String(args.bufSize));
  if (args.bufCount !== undefined) argv.push('--buf-count', String(args.bufCount));
  if (args.stateDir !== undefined) argv.push('--state-dir', args.stateDir);
  for (const fault of args.faults ?? []) argv.push('--fault', fault);
  if (args.ble) {
    const b = args.ble;
    argv.push('--ble', '--ble-socket', b.socketPath ?? join(tmpdir(), `fieldline-ble-${process.pid}-${++bleSockets}.sock`));
    if (b.mtu !== undefined) argv.push('--mtu', String(b.mtu));
    if (b.connIntervalMs !== undefined) argv.push('--conn-interval', String(b.connIntervalMs));
    if (b.packetsPerEvent !== undefined) argv.push('--packets-per-event', String(b.packetsPerEvent));
    if (b.reassembly === false) argv.push('--no-reassembly');
  }
  argv.push(...(args.extra ?? []));

  const child = spawn(process.execPath, argv, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], ...(args.env ? { env: { ...process.env, ...args.env } } : {}) });
  let stderr = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (text: string) => {
    if (stderr.length < 20_000) stderr += text;
  });
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));

  const stop = async (): Promise<number | null> => {
    if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
    const code = await exited;
    clearTimeout(timer);
    return code;
  };

  return new Promise((resolve, reject) => {
    const gateways: SpawnedGateway[] = [];
    let socketPath: string | undefined;
    let buffered = '';
    let settled = false;
    const fail = (why: string): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      void stop().then(() => reject(new Error(`fieldline sim ${why}\n--- stderr ---\n${stderr.trim()}`)));
    };
    const timer = setTimeout(() => fail(`did not report ${args.count} gateways within ${args.timeoutMs ?? 20_000} ms`), args.timeoutMs ?? 20_000);
    child.once('error', (err) => fail(`could not start: ${err.message}`));
    void exited.then((code) => fail(`exited with code ${code} before reporting its gateways`));
    child.stdout?.setEncoding('utf8');
    child.stdout?.on('data', (text: string) => {
      buffered += text;
      let nl: number;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, nl).trim();
        buffered = buffered.slice(nl + 1);
        if (!line || settled) continue;
        let parsed: unknown;
        try {
          parsed = JSON.parse(line);
        } catch {
          fail(`printed a line that is not JSON: ${line}`);
          return;
        }
        const g = parsed as { serial?: unknown; port?: unknown; name?: unknown; address?: unknown; transport?: unknown; socket?: unknown };
        if (typeof g.serial === 'string' && typeof g.port === 'string') {
          gateways.push({ serial: g.serial, port: g.port, transport: 'serial' });
        } else if (typeof g.serial === 'string' && g.transport === 'ble' && typeof g.name === 'string' && typeof g.address === 'string' && typeof g.socket === 'string') {
          gateways.push({ serial: g.serial, port: g.address, transport: 'ble', name: g.name, address: g.address });
          socketPath = g.socket;
        } else {
          fail(`printed an unexpected line: ${line}`);
          return;
        }
        if (gateways.length === args.count) {
          settled = true;
          clearTimeout(timer);
          resolve({ gateways, child, stop, ...(socketPath === undefined ? {} : { socketPath }) });
        }
      }
    });
  });
}
