/** `registry login` and the commands that need it, as child processes: refusals are explained and save nothing. */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lastJsonLine, REPO_ROOT, runFieldline, type CliRun } from '../testing/cli';
import { withStoreOf } from '../testing/core-store';
import { registryRunRecord, startTestRegistry, type TestRegistry } from '../testing/registry';

let work: string;
let reg: TestRegistry;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'fieldline-login-'));
  reg = await startTestRegistry();
});
afterAll(async () => {
  await reg?.close();
  if (work) await rm(work, { recursive: true, force: true });
});

const withStdin = (args: string[], input: string): Promise<CliRun> => runFieldline(args, {}, 60_000, input);

describe('fieldline registry login', () => {
  it('refuses a wrong token in words and saves nothing; --token works but warns', async () => {
    const dir = join(work, 'a');
    const wrong = await withStdin(['registry', 'login', '--url', reg.url, '--token-stdin', '--data-dir', dir, '--json'], 'flt_' + 'x'.repeat(43) + '\n');
    expect(wrong.code).toBe(1);
    expect(lastJsonLine(wrong.stdout)).toMatchObject({ error: { code: 'REGISTRY_AUTH', hint: expect.stringMatching(/registry login/) } });
    expect(existsSync(join(dir, 'registry.json')) || existsSync(join(dir, 'registry-token'))).toBe(false);

    const both = await runFieldline(['registry', 'login', '--url', reg.url, '--token', reg.token, '--token-stdin', '--data-dir', dir]);
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/one of them/);

    const ok = await runFieldline(['registry', 'login', '--url', reg.url, '--token', reg.token, '--data-dir', dir]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stderr).toMatch(/--token is visible to other users/);
    expect(ok.stdout + ok.stderr).not.toContain(reg.token);
  });

  it('explains an unreachable URL and a URL that is not one', async () => {
    const dir = join(work, 'b');
    const down = await runFieldline(['registry', 'login', '--url', 'http://127.0.0.1:9', '--token', reg.token, '--data-dir', dir, '--json']);
    expect(lastJsonLine(down.stdout)).toMatchObject({ error: { code: 'REGISTRY_UNREACHABLE' } });
    const bad = await runFieldline(['registry', 'login', '--url', 'ftp://x', '--token', reg.token, '--data-dir', dir, '--json']);
    expect(lastJsonLine(bad.stdout)).toMatchObject({ error: { code: 'INVALID_ARGUMENT', message: expect.stringMatching(/http or https/) } });
  });
});

describe('before login', () => {
  it('queue status works offline; sync says how to log in', async () => {
    const dir = join(work, 'c');
    const status = await runFieldline(['queue', 'status', '--json', '--data-dir', dir]);
    expect(status.code, status.stderr).toBe(0);
    expect(lastJsonLine(status.stdout)).toMatchObject({ pending: 0, registryConfigured: false, registry: null, online: false });
    const sync = await runFieldline(['sync', '--once', '--data-dir', dir]);
    expect(sync.code).toBe(2);
    expect(sync.stderr).toMatch(/not connected to a registry[\s\S]*fix: run `fieldline registry login/);
  });
});

describe('fieldline sync (continuous)', () => {
  it('prints JSON state lines as it drains and stops cleanly on SIGTERM', async () => {
    const dir = join(work, 'a'); // logged in by the first test
    await withStoreOf(dir, (store) => {
      for (let i = 0; i < 3; i += 1) store.saveRun(registryRunRecord({ serial: `GW-CONT-${i}`, outcome: 'passed' }));
    });
    const child = spawn(process.execPath, [join(REPO_ROOT, 'bin/fieldline.js'), 'sync', '--json', '--data-dir', dir], { cwd: REPO_ROOT });
    let stdout = '';
    const drained = new Promise<void>((resolve) => {
      child.stdout.on('data', (d: Buffer) => {
        stdout += d.toString();
        if (/"pending":0,"inFlight":0[^\n]*"lastSuccessAt":"/.test(stdout)) resolve();
      });
    });
    await drained;
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    const lines = stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.every((l) => l.event === 'state' && 'online' in l && 'pending' in l && 'deadLetter' in l && 'nextAttemptAt' in l)).toBe(true);
    expect(lines.at(-1)).toMatchObject({ online: true, pending: 0, inFlight: 0, deadLetter: 0 });
    expect(reg.registry.db.prepare(`SELECT count(*) FROM records WHERE serial LIKE 'GW-CONT-%'`).pluck().get()).toBe(3);
  }, 60_000);
});
