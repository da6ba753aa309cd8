/**
 * The CLI's ending rule: a command that ends with a failure exits within EXIT_GRACE_MS even when something it
 * opened is still open. The child below leaks a handle on purpose (an interval, as a serial port left open would),
 * then runs a command that fails; without the rule it would never exit and be killed.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../testing/cli';

const KILL_AFTER_MS = 30_000;
let dataDir: string;

beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'fieldline-exit-rule-'));
});
afterEach(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

/** Runs main() with `args` in a child that first leaks a handle; answers its exit code and signal. */
function runLeaking(args: string[]): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> {
  const script = [
    "import { register } from 'tsx/esm/api';",
    'register();',
    'setInterval(() => {}, 60_000);',
    "const { main } = await import('./main/cli/index.ts');",
    `await main(['node', 'fieldline', ...${JSON.stringify(args)}]);`,
  ].join('\n');
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
      cwd: REPO_ROOT,
      env: { ...process.env, FIELDLINE_DATA_DIR: dataDir },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (t: string) => (stderr += t));
    const kill = setTimeout(() => child.kill('SIGKILL'), KILL_AFTER_MS);
    child.once('close', (code, signal) => {
      clearTimeout(kill);
      resolve({ code, signal, stderr });
    });
  });
}

describe('a failed command exits even with a handle left open', { timeout: 60_000 }, () => {
  it('an expected failure (no such run: a bad argument) exits 2', async () => {
    const r = await runLeaking(['runs', 'show', 'no-such-run']);
    expect(r.signal, r.stderr).toBeNull();
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('No such run');
  });

  it('a usage error exits 2', async () => {
    const r = await runLeaking(['runs', 'list', '--no-such-flag']);
    expect(r.signal, r.stderr).toBeNull();
    expect(r.code).toBe(2);
  });
});
