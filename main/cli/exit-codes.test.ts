/**
 * One exit-code rule for every command (issue #12): 0 success, 1 the device or run failed, 2 usage or environment;
 * under --json every error, commander's usage errors included, is exactly one {"error":{code,message,hint}} line.
 * The real CLI as a child process, as a line script runs it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, runFieldline, type CliRun } from '../testing/cli';

const PROFILE = join(REPO_ROOT, 'resources/profiles/gateway-eu.yaml');
let dataDir: string;

const fieldline = (args: string[]): Promise<CliRun> =>
  runFieldline(args, { FIELDLINE_DATA_DIR: dataDir, FIELDLINE_CA_PASSPHRASE: 'correct-horse-battery' });

interface ErrorLine {
  error: { code: string; message: string; hint?: string };
}

/** Under --json, stdout holds the one error line and nothing else. */
function onlyErrorLine(r: CliRun): ErrorLine['error'] {
  const lines = r.stdout.split('\n').filter((l) => l.trim() !== '');
  expect(lines, r.stdout + r.stderr).toHaveLength(1);
  const parsed = JSON.parse(lines[0] ?? '') as ErrorLine;
  expect(Object.keys(parsed)).toEqual(['error']);
  expect(typeof parsed.error.code).toBe('string');
  expect(typeof parsed.error.message).toBe('string');
  expect(typeof parsed.error.hint).toBe('string');
  return parsed.error;
}

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'fieldline-exit-codes-'));
  const init = await fieldline(['ca', 'init', '--json']);
  expect(init.code, init.stderr).toBe(0);
});

afterAll(async () => {
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe('fieldline provision: usage and environment errors exit 2 with the fix (done-when of issue #12)', { timeout: 120_000 }, () => {
  it('no options: exit 2, names the missing --profile; --json prints one error line', async () => {
    const text = await fieldline(['provision']);
    expect(text.code).toBe(2);
    expect(text.stdout).toBe('');
    expect(text.stderr).toContain("required option '--profile <file>' not specified");
    expect(text.stderr).toMatch(/fix: add --profile <file> \(`fieldline provision --help`/);

    const json = await fieldline(['provision', '--json']);
    expect(json.code).toBe(2);
    const error = onlyErrorLine(json);
    expect(error.code).toBe('USAGE');
    expect(error.hint).toContain('--profile');
  });

  it('--port /dev/null: exit 2, "/dev/null is not a serial port" and `fieldline ports`; --json one line', async () => {
    const text = await fieldline(['provision', '--port', '/dev/null', '--profile', PROFILE]);
    expect(text.code, text.stderr).toBe(2);
    expect(text.stderr).toContain('/dev/null is not a serial port');
    expect(text.stderr).not.toMatch(/ioctl/);
    expect(text.stderr).toMatch(/fix: .*`fieldline ports` lists the serial ports/);

    const json = await fieldline(['provision', '--port', '/dev/null', '--profile', PROFILE, '--json']);
    expect(json.code).toBe(2);
    const error = onlyErrorLine(json);
    expect(error.code).toBe('PORT_NOT_SERIAL');
    expect(error.hint).toContain('fieldline ports');
  });

  it('--profile <a directory>: exit 2, says it is a directory and what to give instead; --json one line', async () => {
    const dir = join(dataDir, 'profiles');
    await mkdir(dir, { recursive: true });
    const text = await fieldline(['provision', '--port', '/dev/null', '--profile', dir]);
    expect(text.code, text.stderr).toBe(2);
    expect(text.stderr).toContain(`${dir} is a directory`);
    expect(text.stderr).not.toMatch(/file not found/i);
    expect(text.stderr).toMatch(/fix: give the path of a regular file/);

    const json = await fieldline(['provision', '--port', '/dev/null', '--profile', dir, '--json']);
    expect(json.code).toBe(2);
    expect(onlyErrorLine(json).code).toBe('FILE_NOT_REGULAR');
  });

  it('an unknown option: exit 2; --json one error line', async () => {
    const text = await fieldline(['provision', '--port', '/dev/null', '--profile', PROFILE, '--no-such-flag']);
    expect(text.code).toBe(2);
    expect(text.stderr).toContain("unknown option '--no-such-flag'");
    const json = await fieldline(['provision', '--port', '/dev/null', '--profile', PROFILE, '--no-such-flag', '--json']);
    expect(json.code).toBe(2);
    expect(onlyErrorLine(json)).toMatchObject({ code: 'USAGE', hint: expect.stringContaining('`fieldline provision --help`') as string });
  });
});

describe('every command family: usage errors under --json are one error line, exit 2', { timeout: 120_000 }, () => {
  it.each([
    [['smp', 'echo', '--json'], 'fieldline smp echo'],
    [['ble', 'scan', '--no-such-flag', '--json'], 'fieldline ble scan'],
    [['ca', 'init', '--no-such-flag', '--json'], 'fieldline ca init'],
    [['profile', 'lint', '--json'], 'fieldline profile lint'],
    [['batch', '--json'], 'fieldline batch'],
    [['drift', '--json'], 'fieldline drift'],
    [['runs', 'show', '--json'], 'fieldline runs show'],
    [['line', 'kpis', '--no-such-flag', '--json'], 'fieldline line kpis'],
    [['queue', 'list', '--no-such-flag', '--json'], 'fieldline queue list'],
    [['store', 'reset', '--no-such-flag', '--json'], 'fieldline store reset'],
    [['no-such-command', '--json'], 'fieldline'],
  ])('%j', async (args, command) => {
    const r = await fieldline(args);
    expect(r.code, r.stdout + r.stderr).toBe(2);
    const error = onlyErrorLine(r);
    expect(error.code).toBe('USAGE');
    expect(error.hint).toContain(`\`${command} --help\``);
  });
});

/** A pseudo-terminal pair from socat with nothing on the other end: a port where no device answers. */
async function silentPort(): Promise<{ port: string; child: ChildProcess }> {
  const child = spawn('socat', ['-d', '-d', 'pty,raw,echo=0', 'pty,raw,echo=0'], { stdio: ['ignore', 'ignore', 'pipe'] });
  const ptys: string[] = [];
  await new Promise<void>((resolve, reject) => {
    child.once('error', reject);
    child.stderr?.on('data', (chunk: Buffer) => {
      for (const m of chunk.toString().matchAll(/PTY is (\S+)/g)) ptys.push(m[1] ?? '');
      if (ptys.length === 2) resolve();
    });
  });
  return { port: ptys[0] ?? '', child };
}

describe('a provision that never reached the device', { timeout: 120_000 }, () => {
  it('says no SMP answer, nothing changed, no run recorded; prints no run id; exit 2', async () => {
    const { port, child } = await silentPort();
    try {
      const text = await fieldline(['provision', '--port', port, '--profile', PROFILE, '-t', '300']);
      expect(text.code, text.stderr).toBe(2);
      expect(text.stderr).toContain(`no SMP answer from ${port}: nothing was changed, no run recorded`);
      expect(text.stdout).not.toMatch(/run [0-9a-f-]{8}/);

      const json = await fieldline(['provision', '--port', port, '--profile', PROFILE, '-t', '300', '--json']);
      expect(json.code).toBe(2);
      const last = JSON.parse(json.stdout.trim().split('\n').at(-1) ?? '') as ErrorLine;
      expect(last.error.code).toBe('DEVICE_TIMEOUT');
      // Step events, then the error: no run record (and so no run id) among them.
      expect(json.stdout).not.toContain('"id"');

      const runs = await fieldline(['runs', 'list', '--json']);
      expect(runs.code, runs.stderr).toBe(0);
      expect(JSON.parse(runs.stdout.trim() || '[]')).toEqual([]);
    } finally {
      child.kill();
    }
  });
});
