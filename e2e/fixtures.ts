/**
 * The `ui` fixture the UI specs use: a fresh demo station (four virtual gateways — the fourth fails its selftest —
 * a reference registry and a data directory with an unlocked development CA) and a page showing Fieldline on it.
 *   web       Debian's Chromium opens station web mode (the built renderer, the contract over the WebSocket).
 *   electron  the built desktop app, launched by `_electron` on the demo's data directory, with the gateways'
 *             ptys added through window.fieldline (discovery cannot list ptys). Skipped where no Electron binary
 *             exists, with the reason.
 * Chromium is launched once per worker, lazily, so the electron project never starts it.
 * Options (test.use): `bleGateways` adds that many virtual Bluetooth gateways (`fieldline sim --ble`) reached through
 * the station's virtual adapter; `stationEnv` is added to the station's (or the desktop app's) environment.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { _electron, test as base, expect, type Browser, type ElectronApplication, type Page } from '@playwright/test';
import type { FieldlineApi } from '../main/contract/api';
import { electronBinary } from './electron-binary';
import { chromiumMissing } from './support/chromium';
import { ROOT, startDemoStation, type DemoStation } from './support/station';

export type Shell = 'web' | 'electron';

export interface Ui {
  page: Page;
  station: DemoStation;
  shell: Shell;
  /** Saves the page as test-results/screens/<project>-<test>-<n>-<name>.png and attaches it to the report. */
  screen(name: string): Promise<void>;
}

interface WorkerFixtures {
  shell: Shell;
  lazyBrowser: () => Promise<Browser>;
}

export const SCREENS_DIR = join(ROOT, 'test-results', 'screens');

const slug = (text: string): string =>
  text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 60);

async function openElectron(station: DemoStation, extraEnv: Record<string, string>): Promise<{ app: ElectronApplication; page: Page }> {
  const binary = electronBinary();
  // Chromium refuses to start as root with its OS sandbox on (CI containers run as root); the renderer's own
  // sandbox (webPreferences.sandbox) stays on.
  const args = process.getuid?.() === 0 ? ['--no-sandbox', '.'] : ['.'];
  const app = await _electron.launch({
    executablePath: binary.path,
    args,
    cwd: ROOT,
    env: {
      ...process.env,
      FIELDLINE_DATA_DIR: station.dataDir,
      FIELDLINE_CA_PASSPHRASE: station.caPassphrase,
      FIELDLINE_PORTS_DIR: station.portsDir,
      ...(station.ble ? { FIELDLINE_BLE_ADAPTER: 'virtual', FIELDLINE_BLE_SOCKET: station.ble.socketPath } : {}),
      ...extraEnv,
    },
  });
  const page = await app.firstWindow();
  const ports = station.gateways.map((g) => g.port);
  const failures = await page.evaluate(async (paths) => {
    const api = (globalThis as unknown as { fieldline: FieldlineApi }).fieldline;
    const failed: string[] = [];
    for (const path of paths) {
      const result = await api.invoke['devices:add-port']({ path });
      if (!result.ok) failed.push(`${path}: ${result.error.message}`);
    }
    return failed;
  }, ports);
  expect(failures, 'adding the virtual gateways to the desktop app').toEqual([]);
  return { app, page };
}

export const test = base.extend<{ ui: Ui; bleGateways: number; stationEnv: Record<string, string> }, WorkerFixtures>({
  shell: ['web', { option: true, scope: 'worker' }],
  bleGateways: [0, { option: true }],
  stationEnv: [{}, { option: true }],

  lazyBrowser: [
    async ({ playwright, launchOptions }, use) => {
      let browser: Promise<Browser> | undefined;
      await use(() => (browser ??= playwright.chromium.launch(launchOptions)));
      if (browser) await (await browser).close();
    },
    { scope: 'worker' },
  ],

  ui: async ({ shell, lazyBrowser, bleGateways, stationEnv }, use, testInfo) => {
    if (shell === 'electron') {
      const binary = electronBinary();
      testInfo.skip(!binary.path, binary.reason ?? '');
    } else {
      const missing = chromiumMissing();
      if (missing) throw new Error(missing);
    }
    const station = await startDemoStation({ server: shell === 'web', ble: bleGateways, env: stationEnv });
    let close: () => Promise<void> = async () => {};
    const pageErrors: string[] = [];
    try {
      let page: Page;
      if (shell === 'web') {
        const context = await (await lazyBrowser()).newContext({ viewport: { width: 1280, height: 800 } });
        close = () => context.close();
        page = await context.newPage();
        page.on('pageerror', (err) => pageErrors.push(err.stack ?? err.message));
        await page.goto(station.url ?? '');
      } else {
        const electron = await openElectron(station, stationEnv);
        close = () => electron.app.close();
        page = electron.page;
        page.on('pageerror', (err) => pageErrors.push(err.stack ?? err.message));
      }
      await mkdir(SCREENS_DIR, { recursive: true });
      let n = 0;
      const prefix = `${testInfo.project.name}-${slug(testInfo.title)}`;
      const screen = async (name: string): Promise<void> => {
        n += 1;
        const path = join(SCREENS_DIR, `${prefix}-${String(n).padStart(2, '0')}-${slug(name)}.png`);
        await page.screenshot({ path, fullPage: true });
        await testInfo.attach(name, { path, contentType: 'image/png' });
      };
      await use({ page, station, shell, screen });
      if (testInfo.status !== testInfo.expectedStatus) {
        const failed = await page.screenshot({ fullPage: true }).catch(() => undefined);
        if (failed) await testInfo.attach('page when the test failed', { body: failed, contentType: 'image/png' });
      }
      // An uncaught exception in the renderer fails the test even when the screens looked right.
      expect(pageErrors, 'uncaught errors in the page').toEqual([]);
    } finally {
      await close().catch(() => {});
      await station.stop();
      if (testInfo.status !== testInfo.expectedStatus && station.stderr() !== '') {
        await testInfo.attach('station stderr', { body: station.stderr(), contentType: 'text/plain' });
      }
    }
  },
});

export { expect };
