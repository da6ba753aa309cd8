/** The packaged shape of the app: built main/preload/renderer launched by the real Electron binary. */
import { _electron as electron, expect, test, type ElectronApplication } from '@playwright/test';
import { fileURLToPath } from 'node:url';
import { electronBinary } from './electron-binary';

const binary = electronBinary();
const root = fileURLToPath(new URL('..', import.meta.url));

test.describe('desktop app (Electron)', () => {
  // Runs wherever `npm ci` could download Electron; skips, saying why, where it could not.
  test.skip(!binary.path, binary.reason ?? '');

  let app: ElectronApplication;

  test.beforeAll(async () => {
    // Chromium refuses to start as root with its OS sandbox on (CI containers run as root); the renderer's
    // own sandbox (webPreferences.sandbox) stays on and is checked below.
    const args = process.getuid?.() === 0 ? ['--no-sandbox', '.'] : ['.'];
    app = await electron.launch({ executablePath: binary.path, args, cwd: root });
  });

  test.afterAll(async () => {
    await app?.close();
  });

  test('opens one sandboxed window that reaches the Node side only through window.fieldline', async () => {
    const page = await app.firstWindow();
    await expect(page).toHaveTitle('Fieldline');
    await expect(page.getByTestId('app-version')).toContainText('Version');
    // No Node in the page: the bridge is the only door (contextIsolation on, nodeIntegration off).
    const exposure = await page.evaluate(() => {
      const g = globalThis as unknown as Record<string, unknown>;
      return { hasBridge: typeof g.fieldline === 'object', hasRequire: 'require' in g, hasProcess: 'process' in g };
    });
    expect(exposure).toEqual({ hasBridge: true, hasRequire: false, hasProcess: false });
  });
});
