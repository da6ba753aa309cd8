/**
 * `fieldline registry serve` as its own process on a free loopback port, the way an operator runs it: for the
 * benchmarks and the reliability report, which measure or abuse the registry across a real process boundary.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { REPO_ROOT } from './cli';

export interface RegistryProcess {
  url: string;
  port: number;
  /** The line it printed once listening (`{"url","port","engine","db"|"database"}`). */
  banner: Record<string, unknown>;
  child: ChildProcess;
  /** SIGTERM, and resolves once the process has exited. */
  stop(): Promise<void>;
}

/**
 * Resolves with the URL the registry printed once it listens; `database` is a SQLite file or a postgres:// URL,
 * `port` 0 (the default) any free one; `stderr` says where its log goes.
 */
export async function serveRegistryProcess(database: string, options: { stderr?: 'ignore' | 'inherit'; port?: number } = {}): Promise<RegistryProcess> {
  const where = /^postgres(?:ql)?:\/\//i.test(database) ? ['--database', database] : ['--db', database];
  const child = spawn(process.execPath, ['bin/fieldline.js', 'registry', 'serve', '--port', String(options.port ?? 0), ...where, '--json'], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', options.stderr ?? 'ignore'],
  });
  const banner = await new Promise<Record<string, unknown>>((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('\n')) resolve(JSON.parse(out.split('\n')[0]!) as Record<string, unknown>);
    });
    child.once('exit', (code) => reject(new Error(`registry serve exited with ${code}`)));
  });
  const url = String(banner.url);
  return {
    url,
    port: Number(new URL(url).port),
    banner,
    child,
    stop: async () => {
      // Also a process that died of a signal (SIGKILL in a kill test): its 'exit' has been emitted already.
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    },
  };
}
