/**
 * Runs the `fieldline` command as runFieldline (main/testing/cli.ts) does, timing how it ends: from spawn to exit,
 * and from its final error line to exit (what the CLI's 2 s rule bounds, main/cli/exit-rule.ts). A command still
 * running after `killAfterMs` is killed and reported as hung, so a hang fails a test or a report row instead of
 * stalling it.
 *
 * Whether it ended by itself is reported as a fact, not read off the clock (a loaded machine makes any clean exit
 * slow): Node emits 'beforeExit' only when nothing is left to keep the process alive — never when the exit rule's
 * timer calls process.exit() because a handle was leaked, nor when the command is killed.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT, type CliRun } from './cli';

export interface TimedRun extends CliRun {
  /** Spawn to exit, in ms. */
  ms: number;
  /** From the first `{"error":` line on stdout (--json) to exit, in ms; undefined without one. */
  afterErrorMs: number | undefined;
  /** It did not end by itself within killAfterMs. */
  hung: boolean;
  /** Its event loop ran empty: it closed everything it opened, and no process.exit() (the exit rule's) ended it. */
  endedByItself: boolean;
}

/** Written on stderr by the child when its event loop runs empty (a preload, so the CLI itself is unchanged). */
const ENDED_BY_ITSELF = '\n[timed-cli: the event loop ran empty]\n';
const PRELOAD = `data:text/javascript,process.once('beforeExit',()=>process.stderr.write(${JSON.stringify(ENDED_BY_ITSELF)}))`;

export function runFieldlineTimed(args: string[], env: Record<string, string>, killAfterMs = 30_000): Promise<TimedRun> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    let errorAt: number | undefined;
    let hung = false;
    let stdout = '';
    let stderr = '';
    const child = spawn(process.execPath, ['--import', PRELOAD, join(REPO_ROOT, 'bin/fieldline.js'), ...args], {
      cwd: REPO_ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const kill = setTimeout(() => {
      hung = true;
      child.kill('SIGKILL');
    }, killAfterMs);
    child.stdout.setEncoding('utf8').on('data', (text: string) => {
      stdout += text;
      if (errorAt === undefined && stdout.includes('{"error":')) errorAt = performance.now();
    });
    let tail = ''; // the marker comes last, even after more stderr than is kept
    child.stderr.setEncoding('utf8').on('data', (text: string) => {
      if (stderr.length < 100_000) stderr += text;
      tail = (tail + text).slice(-2 * ENDED_BY_ITSELF.length);
    });
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(kill);
      const end = performance.now();
      const endedByItself = tail.includes(ENDED_BY_ITSELF);
      resolve({
        code: code ?? 137,
        stdout,
        stderr: stderr.replace(ENDED_BY_ITSELF, ''),
        ms: end - t0,
        afterErrorMs: errorAt === undefined ? undefined : end - errorAt,
        hung,
        endedByItself,
      });
    });
  });
}
