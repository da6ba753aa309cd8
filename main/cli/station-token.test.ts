/**
 * `fieldline station` with a token (issue #11): the token comes from FIELDLINE_STATION_TOKEN, --token-file or
 * --token-stdin, so it is not in the process's argv (what `ps` shows every user); what the station prints — text or
 * --json — holds no token, only a login link whose ticket works once; and --token, still accepted, warns.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { createWebBridge, type SocketLike, type WebBridge } from '../../renderer/src/bridge/web';
import { REPO_ROOT } from '../testing/cli';

const TOKEN = 'line-3-station-token-0123456789';

interface Started {
  child: ChildProcess;
  stdout: string;
  stderr: () => string;
  ready: { url: string; openUrl: string };
}

let work: string;
const children: ChildProcess[] = [];
const bridges: WebBridge[] = [];
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'fieldline-station-token-'));
});
afterEach(async () => {
  for (const b of bridges.splice(0)) b.close();
  await Promise.all(
    children.splice(0).map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          child.once('close', () => resolve());
          child.kill('SIGTERM');
        }),
    ),
  );
});
afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

/** Starts the station and waits for its ready line (JSON with --json, else the "open … in a browser" line). */
function startStation(args: string[], env: Record<string, string> = {}, input?: string): Promise<Started> {
  const dataDir = join(work, `data-${children.length}`);
  const child = spawn(process.execPath, ['bin/fieldline.js', 'station', '--port', '0', '--data-dir', dataDir, ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, FIELDLINE_STATION_TOKEN: '', ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  children.push(child);
  child.stdin?.end(input);
  let stdout = '';
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (t: string) => (stderr += t));
  return new Promise((resolve, reject) => {
    child.stdout?.setEncoding('utf8').on('data', (t: string) => {
      stdout += t;
      const json = stdout.split('\n').find((l) => l.startsWith('{'));
      if (json) return resolve({ child, stdout, stderr: () => stderr, ready: JSON.parse(json) as Started['ready'] });
      const open = /open (http:\/\/\S+) in a browser/.exec(stdout);
      const base = /^ {2}later: (http:\/\/\S+?)(?:#|\s)/m.exec(stdout);
      if (open?.[1] && stdout.includes('\n  data directory')) {
        resolve({ child, stdout, stderr: () => stderr, ready: { openUrl: open[1], url: base?.[1] ?? '' } });
      }
    });
    child.on('close', (code) => reject(new Error(`station exited with ${code}\n${stderr}`)));
  });
}

function bridgeTo(url: string, credential: { ticket: string } | { token: string }): WebBridge {
  const { host } = new URL(url);
  const bridge = createWebBridge({
    url: `ws://${host}/api`,
    openSocket: (u) => new WebSocket(u, { origin: `http://${host}` }) as unknown as SocketLike,
    retryMs: { first: 20, max: 50 },
    ...credential,
  });
  bridges.push(bridge);
  return bridge;
}

const ticketOf = (openUrl: string): string => new URL(openUrl).hash.replace(/^#ticket=/, '');

describe('fieldline station with a token', () => {
  it('takes it from FIELDLINE_STATION_TOKEN: not in argv, not in the --json line; the printed link logs in once', async () => {
    const started = await startStation(['--json'], { FIELDLINE_STATION_TOKEN: TOKEN });
    expect(started.stdout).not.toContain(TOKEN);
    expect(started.stderr()).not.toContain(TOKEN);
    expect(started.ready.openUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/#ticket=[A-Za-z0-9_-]{43}$/);
    // What `ps` shows every user of the machine.
    if (process.platform === 'linux') expect(readFileSync(`/proc/${started.child.pid}/cmdline`, 'utf8')).not.toContain(TOKEN);

    const page = bridgeTo(started.ready.openUrl, { ticket: ticketOf(started.ready.openUrl) });
    expect(await page.api.invoke['app:version']()).toMatchObject({ ok: true });
    const replay = bridgeTo(started.ready.openUrl, { ticket: ticketOf(started.ready.openUrl) });
    expect(await replay.api.invoke['app:version']()).toMatchObject({ ok: false, error: { code: 'STATION_UNREACHABLE' } });
    // The token itself still opens the station (an operator on another machine types it).
    expect(await bridgeTo(started.ready.url, { token: TOKEN }).api.invoke['app:version']()).toMatchObject({ ok: true });
  }, 120_000);

  it('takes it from --token-file or --token-stdin, and says in text where to go once the link is spent', async () => {
    const file = join(work, 'station-token');
    await writeFile(join(work, 'station-token'), `${TOKEN}\n`, { mode: 0o600 });
    const fromFile = await startStation(['--token-file', file]);
    expect(fromFile.stdout).not.toContain(TOKEN);
    expect(fromFile.stdout).toMatch(/works once, within a minute/);
    if (process.platform === 'linux') expect(readFileSync(`/proc/${fromFile.child.pid}/cmdline`, 'utf8')).not.toContain(TOKEN);
    const page = bridgeTo(fromFile.ready.openUrl, { ticket: ticketOf(fromFile.ready.openUrl) });
    expect(await page.api.invoke['app:version']()).toMatchObject({ ok: true });

    const fromStdin = await startStation(['--token-stdin', '--json'], {}, `${TOKEN}\n`);
    expect(fromStdin.stdout).not.toContain(TOKEN);
    expect(await bridgeTo(fromStdin.ready.url, { token: TOKEN }).api.invoke['app:version']()).toMatchObject({ ok: true });
  }, 120_000);

  it('still takes --token, with a warning that other users can read it; refuses a short or doubly given token', async () => {
    const flagged = await startStation(['--token', TOKEN, '--json']);
    expect(flagged.stderr()).toMatch(/--token is visible to other users .*FIELDLINE_STATION_TOKEN, --token-file or --token-stdin/);
    expect(flagged.stdout).not.toContain(TOKEN);

    await expect(startStation(['--token', 'short'])).rejects.toThrow(/at least 16 characters/);
    await expect(startStation(['--token', TOKEN, '--token-stdin'], {}, TOKEN)).rejects.toThrow(/one of --token, --token-file and --token-stdin/);
  }, 120_000);
});
