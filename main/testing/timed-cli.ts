/**
 * Runs the `fieldline` command as runFieldline (main/testing/cli.ts) does, timing how it ends: from spawn to exit,
 * and from its final error line to exit (what the CLI's 2 s rule bounds, main/cli/exit-rule.ts). A command still
 * running after `killAfterMs` is killed and reported as hung, so a hang fails a test or a report row instead of
 * stalling it.
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
}

export function runFieldlineTimed(args: string[], env: Record<string, string>, killAfterMs = 30_000): Promise<TimedRun> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    let errorAt: number | undefined;
    let hung = false;
    let stdout = '';
    let stderr = '';
    const child = spawn(process.execPath, [join(REPO_ROOT, 'bin/fieldline.js'), ...args], {
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
    child.stderr.setEncoding('utf8').on('data', (text: string) => {
      if (stderr.length < 100_000) stderr += text;
    });
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(kill);
      const end = performance.now();
      resolve({ code: code ?? 137, stdout, stderr, ms: end - t0, afterErrorMs: errorAt === undefined ? undefined : end - errorAt, hung });
    });
  });
}
