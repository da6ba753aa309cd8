/**
 * SIGKILL of a real `fieldline provision` at a chosen moment of its run, for the write-ahead tests and the
 * reliability report. The command runs with `--json -v`: step events on stdout, each SMP request logged as it is
 * sent (`tx {"group":…}`) on stderr, both into one pipe (through `sh -c 'exec … 2>&1'`) so they arrive in the order
 * the command wrote them. The caller's `killAt` sees every request with the step it belongs to and says when to
 * kill, so a kill lands "while this request is on the wire" by an event, not by a guessed delay.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT } from './cli';

export interface SmpRequestLine {
  group: string;
  command: number;
  /** 0-based count of requests seen so far in this run. */
  index: number;
  /** The step under way when the request was sent, and the request's 0-based place in it. */
  step: string;
  indexInStep: number;
}

export interface KilledProvision {
  /** Whether the process was killed (false: it finished before `killAt` said so). */
  killed: boolean;
  exitCode: number | null;
  /** The request during which it was killed. */
  killedAt?: SmpRequestLine;
  /** Every request the run sent before it ended or was killed. */
  requests: SmpRequestLine[];
  /** The command's output, stdout and stderr interleaved. */
  output: string;
}

export interface KillProvisionOptions {
  port: string;
  profile: string;
  env: Record<string, string>;
  /** Called for every request sent; `true` kills the process, after `extraDelayMs` when it is given. */
  killAt(request: SmpRequestLine): boolean;
  extraDelayMs?: number;
  args?: string[];
  /**
   * The command to run instead of `provision --port P --profile F` (e.g. `['service', 'renew', '--port', P]`): the
   * same kill by request, for any command that talks SMP. `--json -v` and `args` are added after it.
   */
  command?: string[];
  timeoutMs?: number;
}

/** A request as `-v` logs it: `<command's logger>:smp: tx {…}` (`provision:smp:`, `service:service:smp:`). */
const TX = /:smp: tx (\{.*\})$/;
const quote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

export function provisionKilledAt(options: KillProvisionOptions): Promise<KilledProvision> {
  const command = options.command ?? ['provision', '--port', options.port, '--profile', options.profile];
  const argv = [process.execPath, join(REPO_ROOT, 'bin/fieldline.js'), ...command, '--json', '-v', ...(options.args ?? [])];
  // exec: the shell becomes the command, so the SIGKILL below hits fieldline itself.
  const child = spawn('/bin/sh', ['-c', `exec ${argv.map(quote).join(' ')} 2>&1`], { cwd: REPO_ROOT, env: { ...process.env, ...options.env }, stdio: ['ignore', 'pipe', 'ignore'] });
  let output = '';
  let pending = '';
  let step = '';
  let indexInStep = 0;
  const requests: SmpRequestLine[] = [];
  let killedAt: SmpRequestLine | undefined;
  const timeout = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
  child.stdout.setEncoding('utf8').on('data', (text: string) => {
    output += text;
    pending += text;
    let nl: number;
    while ((nl = pending.indexOf('\n')) >= 0) {
      const line = pending.slice(0, nl);
      pending = pending.slice(nl + 1);
      if (line.startsWith('{"event":"step-start"')) {
        step = (JSON.parse(line) as { step: string }).step;
        indexInStep = 0;
        continue;
      }
      const m = TX.exec(line);
      if (!m || killedAt) continue;
      const parsed = JSON.parse(m[1]!) as { group: string; command: number };
      const request = { group: parsed.group, command: parsed.command, index: requests.length, step, indexInStep: indexInStep++ };
      requests.push(request);
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
      resolve({ killed: signal === 'SIGKILL' && killedAt !== undefined, exitCode: code, ...(killedAt ? { killedAt } : {}), requests, output });
    });
  });
}
