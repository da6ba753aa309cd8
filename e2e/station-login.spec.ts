/**
 * Station web mode with a token, in a real browser (issue #11): `fieldline station` takes the token from
 * FIELDLINE_STATION_TOKEN and prints a login link whose ticket works once. The page opened with it is in, takes the
 * ticket out of its address bar, keeps only a session (never the token) and stays in across a reload; the same link
 * opened in another browser is refused; the token typed as `#token=…` by an operator still works.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from '@playwright/test';
import { expect, test } from './fixtures';
import { chromiumMissing } from './support/chromium';
import { ROOT } from './support/station';

const TOKEN = 'e2e-station-token-0123456789abcdef';
const READY_TIMEOUT_MS = 60_000;

interface Ready {
  url: string;
  openUrl: string;
}

async function startStation(dataDir: string): Promise<{ child: ChildProcess; ready: Ready; stop: () => Promise<void> }> {
  const args = ['bin/fieldline.js', 'station', '--port', '0', '--json', '--data-dir', dataDir];
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { ...process.env, FIELDLINE_STATION_TOKEN: TOKEN, FORCE_COLOR: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (t: string) => (stderr += t));
  const ready = await new Promise<Ready>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the station did not start within ${READY_TIMEOUT_MS / 1000} s:\n${stderr}`)), READY_TIMEOUT_MS);
    let out = '';
    child.stdout?.setEncoding('utf8').on('data', (t: string) => {
      out += t;
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (!line) return;
      clearTimeout(timer);
      resolve(JSON.parse(line) as Ready);
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      reject(new Error(`the station exited (${code}) before it was ready:\n${stderr}`));
    });
  });
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const closed = new Promise<void>((resolve) => child.once('close', () => resolve()));
    child.kill('SIGTERM');
    await closed;
  };
  return { child, ready, stop };
}

/** The page's sessionStorage as JSON (run in the page; the browser's globals are not in this file's types). */
const sessionStorageText = (): string => JSON.stringify({ ...(globalThis as unknown as { sessionStorage: Record<string, string> }).sessionStorage });

async function newPage(browser: Browser): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  return context.newPage();
}

test('a station with a token: the printed link logs in once, the page keeps only a session', async ({ shell, lazyBrowser }) => {
  test.skip(shell !== 'web', 'station web mode only: the desktop app has no station token');
  const missing = chromiumMissing();
  if (missing) throw new Error(missing);
  test.setTimeout(120_000);
  const dataDir = await mkdtemp(join(tmpdir(), 'fieldline-e2e-login-'));
  const station = await startStation(dataDir);
  try {
    expect(JSON.stringify(station.ready)).not.toContain(TOKEN);
    expect(station.ready.openUrl).toMatch(/#ticket=/);
    const browser = await lazyBrowser();

    const page = await newPage(browser);
    await page.goto(station.ready.openUrl);
    await expect(page.getByTestId('app-version')).toBeVisible();
    await expect(page.getByTestId('connection-state')).toHaveCount(0);
    await expect.poll(() => page.url()).toBe(station.ready.url);
    const stored = await page.evaluate(sessionStorageText);
    expect(stored).toContain('fieldline.session');
    expect(stored).not.toContain(TOKEN);

    // A reload: the session, not the spent ticket, lets it back in.
    await page.reload();
    await expect(page.getByTestId('app-version')).toBeVisible();
    await expect(page.getByTestId('connection-state')).toHaveCount(0);

    // The printed link again, in another browser: spent.
    const replay = await newPage(browser);
    await replay.goto(station.ready.openUrl);
    await expect(replay.getByTestId('connection-state')).toHaveAttribute('data-connection', 'unauthorized');

    // An operator elsewhere types the token into the fragment: in, and the token leaves the address bar.
    const operator = await newPage(browser);
    await operator.goto(`${station.ready.url}#token=${TOKEN}`);
    await expect(operator.getByTestId('app-version')).toBeVisible();
    await expect(operator.getByTestId('connection-state')).toHaveCount(0);
    expect(operator.url()).not.toContain(TOKEN);
    expect(await operator.evaluate(sessionStorageText)).not.toContain(TOKEN);
  } finally {
    await station.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
});
