/**
 * Playwright: the desktop app through `_electron` (where an Electron binary exists). The UI in Chromium against
 * station web mode joins when the station server lands (issue #5).
 */
import { defineConfig } from '@playwright/test';

export default defineConfig({
  testDir: '.',
  testMatch: '*.spec.ts',
  timeout: 60_000,
  reporter: [['list']],
  workers: 1,
  globalSetup: './global-setup.ts',
});
