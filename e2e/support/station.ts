/**
 * Starts e2e/support/demo-station.ts as a child process and talks to it: waits for its ready line (never a sleep),
 * sends registry-stop / registry-start / plug and waits for each answer, and stops it (SIGTERM, then SIGKILL after 10 s).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { DemoStationCommand, DemoStationReady } from './demo-station';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SCRIPT = fileURLToPath(new URL('./demo-station.ts', import.meta.url));
const READY_TIMEOUT_MS = 60_000;

interface Reply {
  ok?: boolean;
  error?: string;
  gateways?: Array<{ serial: string; port: string }>;
}
const COMMAND_TIMEOUT_MS = 15_000;

export interface DemoStation extends DemoStationReady {
  /** Stops or restarts the demo registry; resolves once it has. */
  registry(cmd: Exclude<DemoStationCommand, 'plug'>): Promise<void>;
  /** Plugs `count` more virtual gateways (serials from `serialBase`) into the demo's ports directory. */
  plug(count: number, serialBase: string): Promise<Array<{ serial: string; port: string }>>;
  /** Everything it wrote to stderr, for failure messages. */
  stderr(): string;
  stop(): Promise<void>;
}

/**
 * `ble`: that many virtual Bluetooth gateways (`fieldline sim --ble`), which the station reaches through its virtual
 * adapter. `env`: added to the station's environment (e.g. a Bluetooth adapter that cannot work, for its error).
 */
export async function startDemoStation(options: { server: boolean; ble?: number; env?: Record<string, string> }): Promise<DemoStation> {
  const args = [...(options.server ? [] : ['--no-server']), ...(options.ble ? ['--ble', String(options.ble)] : [])];
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', SCRIPT, ...args], {
    cwd: ROOT,
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, FORCE_COLOR: '0', ...options.env },
  });
  let stderr = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-20_000);
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const waiters = new Map<string, Array<(message: Reply) => void>>();
  let onReady: ((ready: DemoStationReady) => void) | undefined;

  createInterface({ input: child.stdout! }).on('line', (line) => {
    let message: Reply & { ready?: DemoStationReady; reply?: string };
    try {
      message = JSON.parse(line) as typeof message;
    } catch {
      return;
    }
    if (message.ready) onReady?.(message.ready);
    else if (typeof message.reply === 'string') waiters.get(message.reply)?.shift()?.(message);
  });

  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  };

  const ready = await new Promise<DemoStationReady>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the demo station did not start within ${READY_TIMEOUT_MS / 1000} s:\n${stderr}`)), READY_TIMEOUT_MS);
    onReady = (r) => {
      clearTimeout(timer);
      resolve(r);
    };
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`the demo station exited (${code}) before it was ready:\n${stderr}`));
    });
  }).catch(async (err: unknown) => {
    await stop();
    throw err;
  });

  const command = (cmd: DemoStationCommand, extra: Record<string, unknown> = {}): Promise<Reply> =>
    new Promise<Reply>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${cmd}: no answer within ${COMMAND_TIMEOUT_MS / 1000} s`)), COMMAND_TIMEOUT_MS);
      const queue = waiters.get(cmd) ?? [];
      queue.push((message) => {
        clearTimeout(timer);
        if (message.ok) resolve(message);
        else reject(new Error(`${cmd}: ${message.error ?? 'failed'}`));
      });
      waiters.set(cmd, queue);
      child.stdin?.write(JSON.stringify({ cmd, ...extra }) + '\n');
    });

  return {
    ...ready,
    stderr: () => stderr,
    stop,
    registry: async (cmd) => void (await command(cmd)),
    plug: async (count, serialBase) => (await command('plug', { count, serialBase })).gateways ?? [],
  };
}
