/**
 * SIGKILL of a real `fieldline provision` at a chosen moment of its SMP traffic, for the write-ahead tests and the
 * reliability report. The command runs with `-v`, which logs each request as it is sent (`tx {"group":…}`) on
 * stderr; the caller's `killAt` sees every request line and says when to kill, so a kill lands "while this request
 * is on the wire" by an event, not by a guessed delay.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT } from './cli';

export interface SmpRequestLine {
  group: string;
  command: number;
  /** 0-based count of requests seen so far in this run. */
  index: number;
}

export interface KilledProvision {
  /** Whether the process was killed (false: it finished before `killAt` said so). */
  killed: boolean;
  exitCode: number | null;
  /** The request during which it was killed. */
  killedAt?: SmpRequestLine;
  stdout: string;
}

export interface KillProvisionOptions {
  port: string;
  profile: string;
  env: Record<string, string>;
  /** Called for every request sent; `true` kills the process, after `extraDelayMs` when it is given. */
  killAt(request: SmpRequestLine): boolean;
  extraDelayMs?: number;
  args?: string[];
  timeoutMs?: number;
}

const TX = /provision:smp: tx (\{.*\})$/;

export function provisionKilledAt(options: KillProvisionOptions): Promise<KilledProvision> {
  const argv = [join(REPO_ROOT, 'bin/fieldline.js'), 'provision', '--port', options.port, '--profile', options.profile, '--json', '-v', ...(options.args ?? [])];
  const child = spawn(process.execPath, argv, { cwd: REPO_ROOT, env: { ...process.env, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let pending = '';
  let index = 0;
  let killedAt: SmpRequestLine | undefined;
  const timeout = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
  child.stdout.setEncoding('utf8').on('data', (t: string) => (stdout += t));
  child.stderr.setEncoding('utf8').on('data', (text: string) => {
    pending += text;
    let nl: number;
    while ((nl = pending.indexOf('\n')) >= 0) {
      const line = pending.slice(0, nl);
      pending = pending.slice(nl + 1);
      const m = TX.exec(line);
      if (!m || killedAt) continue;
      const parsed = JSON.parse(m[1]!) as { group: string; command: number };
      const request = { group: parsed.group, command: parsed.command, index: index++ };
      if (options.killAt(request)) {
        killedAt = request;
        const kill = (): void => void child.kill('SIGKILL');
        if (options.extraDelayMs) setTimeout(kill, options.extraDelayMs);
        else kill();
      }
    }
  });
  return new Promise((resolve) => {
    child.once('close', (code, signal) => {
      clearTimeout(timeout);
      resolve({ killed: signal === 'SIGKILL' && killedAt !== undefined, exitCode: code, ...(killedAt ? { killedAt } : {}), stdout });
    });
  });
}
