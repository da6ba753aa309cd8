/**
 * A real `fieldline station` in a child process (bin/fieldline.js station) over a fresh data directory, for
 * tests and reliability probes that attack it from outside and need its memory as the kernel counts it: RSS and
 * peak RSS (VmHWM) from /proc/<pid>/status, worker threads included. stop() ends it and removes the folder.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocket } from 'ws';
import { createWebBridge, type SocketLike, type WebBridge } from '../../renderer/src/bridge/web';
import { REPO_ROOT } from './cli';

export interface StationProcess {
  /** http://127.0.0.1:<port>/ */
  url: string;
  /** ws://127.0.0.1:<port>/api */
  wsUrl: string;
  /** The Origin a page served by this station sends. */
  origin: string;
  pid: number;
  dataDir: string;
  child: ChildProcess;
  /** Everything the station wrote to stderr so far, for a failing test's message. */
  stderr(): string;
  /** Resident memory now and at its peak, in kB; undefined where /proc is not there (not Linux). */
  memory(): Promise<{ rssKb: number; peakKb: number } | undefined>;
  /** The renderer's own web bridge to this station. */
  bridge(options?: { token?: string }): WebBridge;
  stop(): Promise<void>;
}

/** Starts the station on a free loopback port; `token` is given through FIELDLINE_STATION_TOKEN, as a user would. */
export async function startStationProcess(options: { token?: string } = {}): Promise<StationProcess> {
  const dataDir = await mkdtemp(join(tmpdir(), 'fieldline-station-'));
  const env = { ...process.env, FIELDLINE_STATION_TOKEN: options.token };
  if (options.token === undefined) delete env.FIELDLINE_STATION_TOKEN;
  const args = ['bin/fieldline.js', 'station', '--port', '0', '--json', '--data-dir', dataDir];
  const child = spawn(process.execPath, args, {
    cwd: REPO_ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (t: string) => (stderr += t));
  let url: string;
  try {
    url = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout?.setEncoding('utf8').on('data', (t: string) => {
        out += t;
        const line = out.split('\n').find((l) => l.startsWith('{'));
        if (line) resolve((JSON.parse(line) as { url: string }).url);
      });
      child.on('close', (code) => reject(new Error(`the station exited with ${code} before it was ready:\n${stderr}`)));
    });
  } catch (err) {
    await rm(dataDir, { recursive: true, force: true });
    throw err;
  }
  const { host } = new URL(url);
  const origin = `http://${host}`;
  const wsUrl = `ws://${host}/api`;
  const bridges: WebBridge[] = [];
  return {
    url,
    wsUrl,
    origin,
    pid: child.pid as number,
    dataDir,
    child,
    stderr: () => stderr,
    async memory() {
      const status = await readFile(`/proc/${child.pid}/status`, 'utf8').catch(() => undefined);
      if (status === undefined) return undefined;
      const kb = (field: string): number => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
      return { rssKb: kb('VmRSS'), peakKb: kb('VmHWM') };
    },
    bridge(bridgeOptions = {}) {
      const bridge = createWebBridge({
        url: wsUrl,
        openSocket: (u) => new WebSocket(u, { origin }) as unknown as SocketLike,
        retryMs: { first: 50, max: 500 },
        ...(bridgeOptions.token !== undefined ? { token: bridgeOptions.token } : {}),
      });
      bridges.push(bridge);
      return bridge;
    },
    async stop() {
      for (const bridge of bridges.splice(0)) bridge.close();
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((resolve) => child.once('close', resolve));
        child.kill('SIGTERM');
        await exited;
      }
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
