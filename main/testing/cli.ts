/**
 * Runs the `fieldline` command as a user would — a child process from the repository root — for the CLI
 * tests. stdin is closed, so a command that would prompt must fail instead of waiting.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = join(REPO_ROOT, 'bin/fieldline.js');

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * `env` is added to this process's environment; a key set to undefined is removed. `input` is written to the
 * command's stdin (e.g. a token for `--token-stdin`) before it is closed.
 */
export function runFieldline(args: string[], env: Record<string, string | undefined> = {}, timeoutMs = 120_000, input?: string): Promise<CliRun> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, [BIN, ...args], { cwd: REPO_ROOT, env: { ...process.env, ...env }, timeout: timeoutMs }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
    child.stdin?.end(input);
  });
}

/** The last line of a command's stdout, as JSON (results come last; progress lines come before). */
export function lastJsonLine(stdout: string): Record<string, unknown> {
  return JSON.parse(stdout.trim().split('\n').at(-1) ?? 'null') as Record<string, unknown>;
}
