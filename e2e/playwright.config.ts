/**
 * Playwright, two projects running the same UI specs:
 *   web       Debian's Chromium (e2e/support/chromium.ts) against station web mode with virtual gateways and a
 *             registry (e2e/support/demo-station.ts, one fresh station per test)
 *   electron  the desktop app through `_electron`, against the same demo; skipped, saying why, where no Electron
 *             binary exists (e2e/electron-binary.ts). electron.spec.ts (the window's security shape) runs here only.
 * Screens each test passes are saved as test-results/screens/<project>-<test>-<n>-<screen>.png.
 */
import { defineConfig } from '@playwright/test';
import { chromiumLaunchOptions } from './support/chromium';
import type { Shell } from './fixtures';

export default defineConfig<object, { shell: Shell }>({
  testDir: '.',
  testMatch: '*.spec.ts',
  outputDir: '../test-results',
  timeout: 60_000,
  expect: { timeout: 15_000 },
  reporter: [['list']],
  // One worker: each test runs its own station with four virtual gateways (socat pairs) and a registry.
  workers: 1,
  fullyParallel: false,
  forbidOnly: !!process.env['CI'],
  globalSetup: './global-setup.ts',
  // The `ui` fixture (e2e/fixtures.ts) opens its own pages, 1280×800, and attaches a screenshot when a test fails.
  projects: [
    {
      name: 'web',
      testIgnore: 'electron.spec.ts',
      use: { shell: 'web', launchOptions: chromiumLaunchOptions },
    },
    {
      name: 'electron',
      // The registry's dashboard is a page of the registry, not of the app: Chromium (web) only.
      testIgnore: 'registry-dashboard.spec.ts',
      use: { shell: 'electron' },
    },
  ],
});
